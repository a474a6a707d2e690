// A cilium sysdump opened in memory: its files by name (the top-level `cilium-sysdump-<ts>/` folder dropped), the
// layout and timestamp its names carry, and typed access to the parts the evidence is built from. YAML is parsed
// once per part, on first use.
import { parse as parseYaml } from 'yaml';
import { ArchiveBudget, DEFAULT_LIMITS, SysdumpError, type ArchiveLimits } from './archive-errors.ts';
import { readZipEntries } from './zip-entries.ts';
import { readTarEntries } from './tar-entries.ts';
import { detectLayout, fileName, type SysdumpLayout, type SysdumpPart } from './layouts.ts';

export type KubeItem = Record<string, unknown>;

/** A part the archive does not hold: the evidence says so ("not in the archive"), it never reads as healthy. */
export class NotInArchiveError extends Error {
  constructor(readonly file: string, note?: string) {
    super(`${file} is not in the sysdump archive${note === undefined ? '' : ` (${note})`}`);
    this.name = 'NotInArchiveError';
  }
}

/** The bugtool archive of one agent pod: file name inside the tar → bytes. */
export interface BugtoolFiles {
  archiveName: string;
  files: Map<string, Uint8Array>;
}

export class SysdumpArchive {
  private readonly parsed = new Map<string, unknown>();
  private readonly bugtools = new Map<string, BugtoolFiles | null>();

  private constructor(
    readonly name: string,
    readonly files: Map<string, Uint8Array>,
    readonly layout: SysdumpLayout,
    readonly ts: string,
    private readonly budget: ArchiveBudget,
  ) {}

  /** Opens a sysdump from its bytes; throws SysdumpError (corrupt, foreign, too-large, unsafe-name). */
  static open(bytes: Uint8Array, name = 'the archive', limits: ArchiveLimits = DEFAULT_LIMITS): SysdumpArchive {
    const budget = new ArchiveBudget(limits);
    const entries = readZipEntries(bytes, budget, name);
    const files = new Map<string, Uint8Array>();
    const tops = new Set<string>();
    for (const [path, data] of entries) {
      const slash = path.indexOf('/');
      tops.add(slash < 0 ? '' : path.slice(0, slash));
      files.set(slash < 0 ? path : path.slice(slash + 1), data);
    }
    // cilium-cli zips one folder (`--output-filename`, default cilium-sysdump-<ts>); files at the root are accepted too.
    if (tops.size > 1) throw new SysdumpError('foreign', `${name} holds several top-level folders (${[...tops].slice(0, 5).join(', ')}); a cilium sysdump holds one, cilium-sysdump-<timestamp>/`);
    const detected = detectLayout(files.keys());
    if (detected === null) {
      throw new SysdumpError('foreign', `${name} is a zip but not a cilium sysdump: none of the node, pod or cilium-config files any cilium-cli release writes (k8s-nodes-<ts>.yaml, k8s-pods-<ts>.yaml, cilium-configmap-<ts>.yaml, …) is in it`);
    }
    return new SysdumpArchive(name, files, detected.layout, detected.ts, budget);
  }

  /** The file name a part has in this archive's layout, or null when the layout never wrote it. */
  partFile(part: SysdumpPart): string | null {
    const template = this.layout.files[part];
    return template === undefined ? null : fileName(template, this.ts);
  }

  text(file: string): string | null {
    const data = this.files.get(file);
    return data === undefined ? null : new TextDecoder().decode(data);
  }

  /** The parsed YAML of a part; throws NotInArchiveError when absent, SysdumpError when it is not YAML. */
  doc(part: SysdumpPart, what: string): unknown {
    const file = this.partFile(part) ?? `${part} (never written by ${this.layout.releases})`;
    if (this.parsed.has(file)) return this.parsed.get(file);
    const text = this.text(file);
    if (text === null) throw new NotInArchiveError(file, `needed to ${what}`);
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      throw new SysdumpError('corrupt', `${this.name}: ${file} is not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.parsed.set(file, doc);
    return doc;
  }

  /** The `items` of a list part (a single object counts as a list of one). */
  items(part: SysdumpPart, what: string): KubeItem[] {
    const doc = this.doc(part, what);
    if (doc === null || doc === undefined) return [];
    if (typeof doc !== 'object') throw new SysdumpError('corrupt', `${this.name}: ${this.partFile(part) ?? part} is not a Kubernetes object or list`);
    const items = (doc as { items?: unknown }).items;
    if (Array.isArray(items)) return items.filter((i): i is KubeItem => typeof i === 'object' && i !== null);
    return 'metadata' in doc ? [doc] : [];
  }

  has(part: SysdumpPart): boolean {
    const file = this.partFile(part);
    return file !== null && this.files.has(file);
  }

  logFile(pod: string, container: string, previous: boolean): string {
    return fileName(previous ? this.layout.previousLogs : this.layout.logs, this.ts, pod, container);
  }

  /** The pod's bugtool archive, unpacked in memory (tar or tar.gz, whichever is there); null when absent. */
  bugtool(pod: string): BugtoolFiles | null {
    const cached = this.bugtools.get(pod);
    if (cached !== undefined) return cached;
    const base = fileName(this.layout.bugtool, this.ts, pod).replace(/\.tar(\.gz)?$/, '');
    const archiveName = [`${base}.tar.gz`, `${base}.tar`].find((n) => this.files.has(n));
    const data = archiveName === undefined ? undefined : this.files.get(archiveName);
    const found = archiveName === undefined || data === undefined ? null : { archiveName, files: readTarEntries(data, this.budget, `${this.name}: ${archiveName}`) };
    this.bugtools.set(pod, found);
    return found;
  }
}
