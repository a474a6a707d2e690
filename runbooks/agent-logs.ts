// The agent's log chunks as runbooks read them: previous container first (the fatal line before a restart is
// there, fact sheet §2.0 "Parser advice"), then the current one; and how a matched line is quoted.
import type { EvidenceQuote } from './contract.ts';
import type { Evidence, LogChunk } from './evidence.ts';
import { lastLogLines, findLogLines, quotable, type LogLine } from './log-parser.ts';

export interface AgentLogSource {
  container: 'previous' | 'current';
  chunk: LogChunk;
}

export function agentLogSources(e: Evidence): AgentLogSource[] {
  if (!e.agentLogs.ok) return [];
  const out: AgentLogSource[] = [];
  if (e.agentLogs.value.previous !== null) out.push({ container: 'previous', chunk: e.agentLogs.value.previous });
  out.push({ container: 'current', chunk: e.agentLogs.value.current });
  return out;
}

export function describeSource(source: AgentLogSource, lineNumber: number): string {
  const tail = source.chunk.truncated ? ` of the last ${source.chunk.lines} lines` : '';
  return `cilium-agent ${source.container} container, line ${lineNumber}${tail}`;
}

export function quoteLogLine(source: AgentLogSource, line: LogLine): EvidenceQuote {
  return { kind: 'log', text: quotable(line.raw), source: describeSource(source, line.lineNumber), lineNumber: line.lineNumber };
}

export interface SourcedLine {
  source: AgentLogSource;
  line: LogLine;
}

/** First matches across previous then current container, at most `limit` in all. */
export function findAgentLines(e: Evidence, predicate: (l: LogLine) => boolean, limit = 20): SourcedLine[] {
  const out: SourcedLine[] = [];
  for (const source of agentLogSources(e)) {
    if (out.length >= limit) break;
    for (const line of findLogLines(source.chunk.text, predicate, limit - out.length)) out.push({ source, line });
  }
  return out;
}

/** Last matches of one container. */
export function lastAgentLines(source: AgentLogSource, predicate: (l: LogLine) => boolean, n: number): SourcedLine[] {
  return lastLogLines(source.chunk.text, predicate, n).map((line) => ({ source, line }));
}

/** msg and error together: the text most runbooks match on (fact sheet §2.0). */
export function lineText(l: LogLine): string {
  return `${l.msg ?? ''} ${l.error ?? ''}`;
}

export function isErrorOrWorse(l: LogLine): boolean {
  return l.level === 'error' || l.level === 'fatal' || l.level === 'panic';
}
