// The agent's log chunks as runbooks read them: previous container first (the fatal line before a restart is
// there, fact sheet §2.0 "Parser advice"), then the current one; and how a matched line is quoted. Runbooks ask
// with a LogQuery (log-query.ts); each chunk is scanned by one LogText (log-text.ts), kept as long as the chunk
// object, so a diagnosis parses each line at most once however many runbooks ask.
import type { EvidenceQuote } from './contract.ts';
import type { Evidence, LogChunk } from './evidence.ts';
import { quotable, type LogLine } from './log-parser.ts';
import type { LogQuery } from './log-query.ts';
import { LogText } from './log-text.ts';

export { lineText, type LogQuery } from './log-query.ts';

export interface AgentLogSource {
  container: 'previous' | 'current';
  chunk: LogChunk;
  /** Set for an init container of the agent pod (`config`, `mount-bpf-fs`, …); absent for the agent container. */
  initContainer?: string;
}

/**
 * The agent container's previous then current log, then those of its failing init containers: an agent stuck in
 * `config` (`cilium-dbg build-config`) has no log of its own, and its failure is in the init container's.
 */
export function agentLogSources(e: Evidence): AgentLogSource[] {
  const out: AgentLogSource[] = [];
  if (e.agentLogs.ok) {
    if (e.agentLogs.value.previous !== null) out.push({ container: 'previous', chunk: e.agentLogs.value.previous });
    out.push({ container: 'current', chunk: e.agentLogs.value.current });
  }
  if (e.initLogs.ok) {
    for (const init of e.initLogs.value) {
      if (init.previous !== null) out.push({ container: 'previous', chunk: init.previous, initContainer: init.container });
      if (init.current !== null) out.push({ container: 'current', chunk: init.current, initContainer: init.container });
    }
  }
  return out;
}

export function describeSource(source: AgentLogSource, lineNumber: number): string {
  const tail = source.chunk.truncated ? ` of the last ${source.chunk.lines} lines` : '';
  const who = source.initContainer === undefined ? 'cilium-agent' : `init container ${source.initContainer},`;
  return `${who} ${source.container} container, line ${lineNumber}${tail}`;
}

export function quoteLogLine(source: AgentLogSource, line: LogLine): EvidenceQuote {
  return { kind: 'log', text: quotable(line.raw), source: describeSource(source, line.lineNumber), lineNumber: line.lineNumber };
}

export interface SourcedLine {
  source: AgentLogSource;
  line: LogLine;
}

const texts = new WeakMap<LogChunk, LogText>();

function logText(chunk: LogChunk): LogText {
  let t = texts.get(chunk);
  if (t === undefined) {
    t = new LogText(chunk.text);
    texts.set(chunk, t);
  }
  return t;
}

/** First matches across previous then current container, at most `limit` in all. */
export function findAgentLines(e: Evidence, query: LogQuery, limit = 20): SourcedLine[] {
  const out: SourcedLine[] = [];
  for (const source of agentLogSources(e)) {
    if (out.length >= limit) break;
    for (const line of logText(source.chunk).find(query, limit - out.length)) out.push({ source, line });
  }
  return out;
}

/** Last matches of one container. */
export function lastAgentLines(source: AgentLogSource, query: LogQuery, n: number): SourcedLine[] {
  return logText(source.chunk).last(query, n).map((line) => ({ source, line }));
}

export function isErrorOrWorse(l: LogLine): boolean {
  return l.level === 'error' || l.level === 'fatal' || l.level === 'panic';
}

/** Lines at error level or worse. */
export const ERROR_OR_WORSE: LogQuery = { level: ['error', 'fatal', 'panic'] };
