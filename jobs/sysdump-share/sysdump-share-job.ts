// The payload of a `sysdump` job: a cilium-sysdump-*.zip someone shared in a Slack thread (a `message` event with
// files, or the "Diagnose this message" shortcut on such a message). Only references travel through Redis: the
// worker downloads the archive itself, so a 200 MiB file never sits in a job.
import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { DedupQueue } from '../dedup-queue.ts';

export const SYSDUMP_QUEUE = 'sysdump';

/** A file name cilium-cli gives its archive (`cilium-sysdump-<ts>.zip`, sysdump.go defaultOutputFileName). */
export const SYSDUMP_FILE_NAME = /^cilium-sysdump-[^/\\]*\.zip$/i;

export const SysdumpJobSchema = z
  .object({
    /** The cluster whose incidents a node named in the archive opens or joins (the bot's default cluster). */
    cluster: z.string().min(1).max(63),
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    /** The thread the answer goes into: the shared message's thread, or the thread it starts. */
    threadTs: z.string().regex(/^\d+\.\d+$/),
    fileId: z.string().regex(/^F[A-Z0-9]{2,}$/),
    fileName: z.string().min(1).max(255),
    sharedBy: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    requestedAt: z.iso.datetime(),
  })
  .strict();
export type SysdumpJob = z.infer<typeof SysdumpJobSchema>;

/** One analysis per shared file while it waits or runs: the event and a shortcut on the same message share it. */
export function sysdumpDedupId(fileId: string): string {
  return `sysdump:${fileId}`;
}

export class SysdumpQueue extends DedupQueue<SysdumpJob> {
  constructor(opts: { connection: ConnectionOptions; prefix: string; backoffMs?: number }) {
    // Two attempts: a download cut by the network is worth one retry; a refused archive fails at once (unrecoverable).
    super(SYSDUMP_QUEUE, 'sysdump', SysdumpJobSchema, (j) => sysdumpDedupId(j.fileId), { connection: opts.connection, prefix: opts.prefix, attempts: 2, backoffMs: opts.backoffMs ?? 2_000, keepCompleted: 100 });
  }
}
