// `npm run demo -- --remediation`: who may approve what in the sandbox workspace. Medium and high risks need
// someone other than a low-risk approver alone; high risk takes two different members of the @sre group, and the
// person who asked for the diagnosis cannot be the second (execution-check.ts).
import type { Config } from '../../bot/config.ts';

export const DEMO_REMEDIATION: Config['remediation'] = {
  enabled: true,
  approvers: { low: ['U0ONCALL', 'U0LEAD'], medium: ['U0LEAD', 'U0ONCALL'], high: ['S0SRE'] },
  proposalTtlMs: 30 * 60_000,
};

export const DEMO_HELP_HINT =
  'Approvers: low and medium risk @oncall or @lead; high risk two different members of @sre (@oncall, @lead), not the one who asked; @viewer approves nothing. Try: click <n> as @viewer, then as @lead.';
