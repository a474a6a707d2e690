// A remediation proposal: one runbook-proposed action with its parameters, stored in Redis under an opaque id.
// Buttons carry only that id; who may approve, and how many must, is decided from the stored risk.
import { z } from 'zod';
import { RemediationActionSchema } from '../../runbooks/engine/contract.ts';
import { IncidentIdSchema } from '../incidents/incident.ts';

export const ProposalIdSchema = z.string().regex(/^p-[a-f0-9]{24}$/, 'not a proposal id');

export const RiskSchema = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof RiskSchema>;

// applying = the write may have happened (a crash there is resolved by re-checking the precondition).
export const ProposalStateSchema = z.enum(['proposed', 'approved', 'running', 'applying', 'done', 'failed']);
export type ProposalState = z.infer<typeof ProposalStateSchema>;

export const ProposalSchema = z.object({
  id: ProposalIdSchema,
  incidentId: IncidentIdSchema,
  cluster: z.string(),
  node: z.string(),
  action: RemediationActionSchema,
  params: z.record(z.string(), z.string()),
  risk: RiskSchema,
  reason: z.string(),
  runbookId: z.string(),
  /** Who asked for the diagnosis: may request a high-risk action but not be its second approver. */
  requestedBy: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  approvals: z.array(z.object({ userId: z.string(), at: z.iso.datetime() })),
  state: ProposalStateSchema,
});
export type Proposal = z.infer<typeof ProposalSchema>;

/** Approvals a risk level needs: high-risk changes need a second person. */
export function approvalsNeeded(risk: Risk): number {
  return risk === 'high' ? 2 : 1;
}
