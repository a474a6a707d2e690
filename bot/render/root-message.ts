// The incident's root message: one line of state that is edited in place as the diagnosis progresses.
import type { KnownBlock } from '@slack/types';

export type RootState = 'queued' | 'collecting' | 'done' | 'failed' | 'duplicate';

export interface RootMessageInput {
  node: string;
  cluster: string;
  requestedBy: string;
  state: RootState;
  /** e.g. the top finding ("kernel-too-old: …") or the failure reason. */
  detail?: string;
  severity?: 'critical' | 'warning' | 'info' | 'healthy';
}

const STATE_TEXT: Record<RootState, (i: RootMessageInput) => string> = {
  queued: (i) => `:hourglass_flowing_sand: Diagnosing \`${i.node}\`… requested by <@${i.requestedBy}>`,
  collecting: (i) => `:mag: Diagnosing \`${i.node}\`: collecting evidence… requested by <@${i.requestedBy}>`,
  done: (i) => `${severityEmoji(i.severity)} \`${i.node}\`: ${i.detail ?? 'diagnosis complete'} — requested by <@${i.requestedBy}>`,
  failed: (i) => `:x: Diagnosis of \`${i.node}\` failed: ${i.detail ?? 'see the thread'} — requested by <@${i.requestedBy}>`,
  duplicate: (i) => `:information_source: \`${i.node}\` was already being diagnosed; see the other thread. — requested by <@${i.requestedBy}>`,
};

function severityEmoji(s: RootMessageInput['severity']): string {
  switch (s) {
    case 'critical':
      return ':red_circle:';
    case 'warning':
      return ':large_orange_circle:';
    case 'info':
      return ':large_blue_circle:';
    default:
      return ':large_green_circle:';
  }
}

export function renderRootMessage(input: RootMessageInput): { text: string; blocks: KnownBlock[] } {
  const line = STATE_TEXT[input.state](input).slice(0, 2900);
  return {
    text: line,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: line } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `cluster \`${input.cluster}\` · node \`${input.node}\`` }] },
    ],
  };
}
