// The Compose Specification (compose-spec/compose-spec, schema/compose-spec.json) for the subset docker-compose.yml
// uses: same field names, types and enums; unknown fields are errors (the schema's additionalProperties: false),
// `x-` extensions are not used here, so strict objects refuse them too. Cross-references the JSON schema cannot express are checked in composeProblems().
import { z } from 'zod';

const duration = z.string().regex(/^(\d+(\.\d+)?(us|ms|s|m|h))+$/, 'a duration like 5s or 1m30s');
const listOrDict = z.union([
  z.record(z.string().regex(/^[^=\s]+$/), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  z.array(z.string().regex(/^[^=\s]+(=.*)?$/)),
]);
const stringOrList = z.union([z.string(), z.array(z.string())]);

const ServiceVolume = z.union([
  z.string().regex(/^[^:]+:\/[^:]*(:(ro|rw|z|Z|[a-z,]+))?$/, 'SOURCE:TARGET[:MODE]'),
  z.strictObject({
    type: z.enum(['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image']),
    source: z.string().optional(),
    target: z.string().startsWith('/'),
    read_only: z.boolean().optional(),
    bind: z.strictObject({ create_host_path: z.boolean().optional() }).optional(),
  }),
]);

export const ComposeService = z.strictObject({
  image: z.string().optional(),
  build: z.union([z.string(), z.strictObject({ context: z.string().optional(), dockerfile: z.string().optional(), target: z.string().optional(), args: listOrDict.optional() })]).optional(),
  command: stringOrList.optional(),
  entrypoint: stringOrList.optional(),
  environment: listOrDict.optional(),
  env_file: z.union([z.string(), z.array(z.union([z.string(), z.strictObject({ path: z.string(), required: z.boolean().optional() })]))]).optional(),
  volumes: z.array(ServiceVolume).optional(),
  ports: z.array(z.union([z.string(), z.number()])).optional(),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(z.string(), z.strictObject({
        condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
        restart: z.boolean().optional(),
        required: z.boolean().optional(),
      })),
    ])
    .optional(),
  healthcheck: z
    .strictObject({
      test: z.union([z.string(), z.array(z.string()).refine((t) => ['NONE', 'CMD', 'CMD-SHELL'].includes(t[0] ?? ''), 'test[0] is NONE, CMD or CMD-SHELL')]),
      interval: duration.optional(),
      timeout: duration.optional(),
      retries: z.number().int().min(0).optional(),
      start_period: duration.optional(),
      start_interval: duration.optional(),
      disable: z.boolean().optional(),
    })
    .optional(),
  restart: z.string().regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/).optional(),
  user: z.string().optional(),
  read_only: z.boolean().optional(),
  tmpfs: stringOrList.optional(),
  cap_drop: z.array(z.string()).optional(),
  cap_add: z.array(z.string()).optional(),
  security_opt: z.array(z.string()).optional(),
  stop_grace_period: duration.optional(),
  stop_signal: z.string().optional(),
});

export const ComposeFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional(),
  services: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), ComposeService),
  volumes: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), z.union([z.null(), z.strictObject({ driver: z.string().optional(), name: z.string().optional(), external: z.boolean().optional() })])).optional(),
});
export type ComposeFileT = z.infer<typeof ComposeFile>;

/** What the JSON schema cannot say: references between services and volumes, and interpolation syntax. */
export function composeProblems(file: ComposeFileT, raw: string): string[] {
  const problems: string[] = [];
  const services = file.services;
  for (const [name, svc] of Object.entries(services)) {
    if (svc.image === undefined && svc.build === undefined) problems.push(`${name}: needs image or build`);
    const deps = svc.depends_on === undefined ? {} : Array.isArray(svc.depends_on) ? Object.fromEntries(svc.depends_on.map((d) => [d, { condition: 'service_started' }])) : svc.depends_on;
    for (const [dep, { condition }] of Object.entries(deps)) {
      if (services[dep] === undefined) problems.push(`${name}: depends_on unknown service ${dep}`);
      else if (condition === 'service_healthy' && services[dep].healthcheck === undefined) problems.push(`${name}: ${dep} has no healthcheck for service_healthy`);
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0] : v.type === 'volume' ? v.source : undefined;
      if (source !== undefined && !/^[./~$]/.test(source) && file.volumes?.[source] === undefined) problems.push(`${name}: volume ${source} is not declared at the top level`);
    }
  }
  // ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, nested; $$ escapes.
  const unescaped = raw.replace(/\$\$/g, '');
  for (const m of unescaped.matchAll(/\$\{([^}]*)/g)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(:?[-?+].*)?$/.test(m[1] ?? '')) problems.push(`bad interpolation \${${m[1] ?? ''}`);
  }
  return problems;
}
