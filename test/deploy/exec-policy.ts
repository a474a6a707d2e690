// The agent-exec ValidatingAdmissionPolicy as rendered, read back into what it allows, and the exec requests of
// the emulator's log read as admission would see them (PodExecOptions: container, command…, stdin, tty).
import { z } from 'zod';
import type { RequestLogEntry } from '../../sandbox/kube/index.ts';
import { parseRequestInfo } from '../../sandbox/kube/request-info.ts';
import type { RenderedObject } from './render.ts';

export const POLICY_NAME = 'cilium-runbook-agent-exec';

const NamedExpression = z.object({ name: z.string(), expression: z.string() });
export const PolicyShape = z.object({
  spec: z.object({
    failurePolicy: z.string(),
    matchConstraints: z.object({
      resourceRules: z.array(z.object({ apiGroups: z.array(z.string()), apiVersions: z.array(z.string()), operations: z.array(z.string()), resources: z.array(z.string()) })),
    }),
    matchConditions: z.array(NamedExpression),
    variables: z.array(NamedExpression),
    validations: z.array(z.object({ expression: z.string(), message: z.string() })),
  }),
});
export type Policy = z.infer<typeof PolicyShape>;

export function execPolicy(objects: RenderedObject[]): Policy | undefined {
  const found = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === POLICY_NAME);
  return found === undefined ? undefined : PolicyShape.parse(found);
}

/** The policy's `allowedArgv` variable: a CEL list of string lists written in JSON syntax, so JSON reads it. */
export function allowedArgv(policy: Policy): string[][] {
  const variable = policy.spec.variables.find((v) => v.name === 'allowedArgv');
  if (variable === undefined) throw new Error(`${POLICY_NAME} has no allowedArgv variable`);
  return z.array(z.array(z.string()).min(1)).min(1).parse(JSON.parse(variable.expression));
}

export interface ExecOptions {
  namespace: string;
  container: string | undefined;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** Every exec in the log, as the PodExecOptions the apiserver builds from its query (repeated `command`). */
export function execRequests(entries: RequestLogEntry[]): ExecOptions[] {
  return entries.flatMap((e) => {
    const query = new URLSearchParams(e.query);
    const info = parseRequestInfo(e.method, e.path, query);
    if (info.resource !== 'pods' || info.subresource !== 'exec') return [];
    const flag = (k: string): boolean => query.get(k) === 'true' || query.get(k) === '1';
    return [{ namespace: info.namespace ?? '', container: query.get('container') ?? undefined, command: query.getAll('command'), stdin: flag('stdin'), tty: flag('tty') }];
  });
}
