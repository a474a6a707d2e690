// Why an archive was refused, in words that say what to do. The CLI exits 2 on any of these; nothing else in the
// archive is trusted once one is raised.

export type SysdumpProblem = 'corrupt' | 'foreign' | 'too-large' | 'unsafe-name';

export class SysdumpError extends Error {
  constructor(
    readonly problem: SysdumpProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SysdumpError';
  }
}

/** Bounds on what is decompressed into memory: a zip bomb meets one of them before it costs more. */
export interface ArchiveLimits {
  /** Bytes of the .zip file itself. */
  maxArchiveBytes: number;
  /** Entries in the zip, and in each nested bugtool tar. */
  maxEntries: number;
  /** Uncompressed bytes of one entry (logs are the largest: cilium-cli caps each at --logs-limit-bytes). */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries read, nested bugtool archives included. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 1024 * 1024 * 1024,
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
};

/**
 * Entry names are only ever map keys here (nothing is written to disk), but a name that climbs out of the archive,
 * is absolute or carries a drive letter or NUL is a crafted archive, never cilium-cli's: refuse it whole.
 */
export function assertSafeEntryName(name: string, where: string): void {
  const bad =
    name.length === 0 ||
    name.includes('\0') ||
    name.includes('\\') ||
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.split('/').some((part) => part === '..');
  if (bad) throw new SysdumpError('unsafe-name', `${where} holds an entry named ${JSON.stringify(name.slice(0, 200))}: absolute or climbing names (path traversal) are refused; this is not an archive cilium-cli writes`);
}

/** Counts entries and bytes across the zip and its nested archives against one set of limits. */
export class ArchiveBudget {
  private total = 0;
  constructor(readonly limits: ArchiveLimits) {}

  /** Reserves `bytes` for one entry of `where`; throws when the entry or the running total would pass a limit. */
  take(where: string, name: string, bytes: number): void {
    if (bytes > this.limits.maxEntryBytes) {
      throw new SysdumpError('too-large', `${where}: entry ${name} is ${bytes} bytes uncompressed, over the ${this.limits.maxEntryBytes}-byte limit per entry (a zip bomb, or a sysdump taken without --logs-limit-bytes)`);
    }
    this.total += bytes;
    if (this.total > this.limits.maxTotalBytes) {
      throw new SysdumpError('too-large', `${where}: more than ${this.limits.maxTotalBytes} bytes uncompressed in all; refused as a zip bomb (take the sysdump with --node-list to keep it smaller)`);
    }
  }
}
