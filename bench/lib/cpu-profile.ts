// Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went over a stretch of it: self time by function
// and by area (a package in node_modules, a folder of this repository, node's own code, GC, native "(program)").
// The profile's clock is process.hrtime's (µs), so a LoopProbe sample's endUs marks where a stretch ends.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
}

export interface ProfileSummary {
  /** Sampled time in the stretch that was not idle, ms. */
  busyMs: number;
  wallMs: number;
  byArea: ProfileShare[];
  byFunction: ProfileShare[];
  /** Inclusive time by the outermost frame outside node's own code: what woke the process (a timer's owner, a socket's reader). */
  byEntry: ProfileShare[];
}

/** node_modules/<pkg> (scoped too), a repository folder (bot/, jobs/watch/…), node:…, or the V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /\/dist\/((?:bot|jobs|runbooks|bench)\/(?:[^/]+\/)?)/.exec(url) ?? /\/((?:bot|jobs|runbooks|bench)\/(?:[^/]+\/)?)/.exec(url);
  return own?.[1] ?? url;
}

function top(map: Map<string, number>, n: number): ProfileShare[] {
  return [...map.entries()].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms).slice(0, n);
}

/** Self time of the samples taken in [fromUs, toUs] (hrtime µs), idle samples left out. */
export function summariseProfile(path: string, fromUs: number, toUs: number, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const entryOf = (id: number): string => {
    let entry: ProfileNode | undefined;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n !== undefined && n.callFrame.url !== '' && !n.callFrame.url.startsWith('node:')) entry = n;
    }
    return entry === undefined ? '(node or native only)' : `${entry.callFrame.functionName || '(anonymous)'} ${areaOf(entry.callFrame.url, '')}:${entry.callFrame.lineNumber + 1}`;
  };
  const entries = new Map<string, number>();
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    // A sample stands for the time since the previous one.
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + delta);
    const fn = `${functionName || '(anonymous)'} ${url === '' ? '' : `${area}:${lineNumber + 1}`}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + delta);
    const entry = entryOf(node.id);
    entries.set(entry, (entries.get(entry) ?? 0) + delta);
    busy += delta;
  }
  return { busyMs: busy / 1000, wallMs: (toUs - fromUs) / 1000, byArea: top(areas, topN), byFunction: top(functions, topN), byEntry: top(entries, topN) };
}
