// Posts a rendered chart as a PNG file in a thread (the same files.getUploadURLExternal → completeUploadExternal
// flow the bot's other uploads use, through WebClient.filesUploadV2). Charts are an extra: when rendering or the
// upload fails, the failure is logged and the text report, already posted, stays as it is.
import type { WebClient } from '@slack/web-api';
import type { PostLedger } from './post-ledger.ts';
import type { RenderedChart } from './render/charts/png.ts';

export interface ChartLogger {
  warn(obj: object, msg: string): void;
}

export interface ChartUpload {
  channelId: string;
  threadTs: string;
  filename: string;
  title: string;
  comment: string;
  /** Ledger key: a retried job finds its earlier upload instead of posting the picture twice. */
  key: string;
}

export async function postChart(client: WebClient, ledger: PostLedger | undefined, logger: ChartLogger | undefined, u: ChartUpload, render: () => Promise<RenderedChart>): Promise<boolean> {
  try {
    const { png } = await render();
    const upload = () => client.filesUploadV2({ channel_id: u.channelId, thread_ts: u.threadTs, initial_comment: u.comment, file_uploads: [{ file: png, filename: u.filename, title: u.title }] });
    if (ledger === undefined) await upload();
    else await ledger.upload(client, u.key, { channel: u.channelId, threadTs: u.threadTs, filenames: [u.filename] }, upload);
    return true;
  } catch (e) {
    (logger ?? { warn: (o: object, m: string) => console.warn(m, o) }).warn({ chart: u.filename, err: e instanceof Error ? e.message : String(e) }, 'chart not posted; the text report is unchanged');
    return false;
  }
}
