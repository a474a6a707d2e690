// Dockerfile, .dockerignore and docker-compose.yml without a Docker engine: the Dockerfile passes the lint rules
// compiles what bot/main.ts imports and ships that JavaScript with production dependencies only; the compose file validates
// against the compose-spec subset and wires the bot to Redis (AOF) with a read-only kubeconfig.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../bot/config.ts';
import { ComposeFile, composeProblems } from './compose-schema.ts';
import { lintDockerfile, parseDockerfile } from './dockerfile-lint.ts';
import { REPO } from './render.ts';

const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const dockerfile = read('Dockerfile');

/** Files reachable from an entry through relative imports, and the bare package names they import. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (abs: string): void => {
    if (files.has(abs)) return;
    files.add(abs);
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(abs), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  };
  visit(join(REPO, entry));
  return { files, packages };
}

describe('Dockerfile', () => {
  it('passes the lint rules', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('the lint rules catch what they are for', () => {
    const bad = [
      'FROM node:latest\nRUN npm install\nCMD node bot/main.ts',
      'FROM node:22-slim AS build\nRUN npm ci\nFROM node\nADD https://example.com/x.tgz /x\nUSER root\nCMD ["node"]',
      'FROM node:22.20.0-bookworm-slim\nRUN npm ci --omit=dev && apt-get install -y git\nCOPY . .\nCMD ["node"]',
    ];
    const rules = bad.map((d) => lintDockerfile(d).map((p) => p.split(': ')[1]));
    expect(rules[0]).toEqual(expect.arrayContaining(['pinned-from', 'npm-ci', 'non-root', 'exec-form', 'healthcheck']));
    expect(rules[1]).toEqual(expect.arrayContaining(['pinned-from', 'no-add-url', 'non-root', 'npm-ci']));
    expect(rules[2]).toEqual(expect.arrayContaining(['no-dev-tools', 'non-root']));
  });

  it('is multi-stage on Node 22 slim, runs the compiled node dist/bot/main.js as a non-root user, without npm in the final image', () => {
    const { stages } = parseDockerfile(dockerfile);
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const s of stages) expect(s.image).toMatch(/^node:22\.\d+\.\d+-\w+-slim$/);
    const final = stages.at(-1);
    const args = (k: string): string[] => (final?.instructions ?? []).filter((i) => i.keyword === k).map((i) => i.args);
    expect(args('CMD')).toEqual(['["node", "dist/bot/main.js"]']);
    expect(args('USER')).toEqual(['1000:1000']);
    expect(args('COPY').every((a) => a.includes('--from='))).toBe(true);
    // From the compile stage only its JavaScript; node_modules only from the production-only stage.
    expect(args('COPY').filter((a) => a.includes('--from=compile'))).toEqual(['--from=compile --chown=root:root /app/dist /app/dist']);
    expect(args('COPY').find((a) => a.includes('/app/node_modules'))).toMatch(/--from=deps /);
    expect(args('RUN').join(' ')).toMatch(/rm -rf .*node_modules\/npm/);
    expect(stages[0]?.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))?.args).toMatch(/npm ci --omit=dev/);
    expect(stages.find((s) => s.name === 'compile')?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('tsconfig.build.json'))).toBe(true);
  });

  it('the lint allows dev dependencies only in a stage of which the final image takes nothing but dist/', () => {
    const leaky = dockerfile.replace('COPY --from=compile --chown=root:root /app/dist /app/dist', 'COPY --from=compile --chown=root:root /app /app');
    expect(lintDockerfile(leaky).join('\n')).toMatch(/npm-ci: npm ci without --omit=dev/);
  });

  it('copies every file bot/main.ts imports into the compile stage, and each imported package is a production dependency', () => {
    const { files, packages } = importGraph('bot/main.ts');
    const copied = parseDockerfile(dockerfile).stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && !i.args.includes('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    for (const file of files) {
      const rel = relative(REPO, file);
      const top = rel.split('/')[0] ?? rel;
      expect(copied, `${rel} is imported but not copied`).toContain(top);
      expect(ignored, `${rel} is excluded by .dockerignore`).not.toContain(top);
    }
    const pkg = z.object({ dependencies: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json')));
    const notProd = [...packages].filter((p) => !(p in pkg.dependencies));
    expect(notProd).toEqual([]);
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.build.json']) expect(copied).toContain(f);
  });

  it('.dockerignore keeps tests, the sandbox, secrets and local modules out of the build context', () => {
    const ignored = read('.dockerignore');
    for (const entry of ['**/node_modules', '.git', 'test', 'sandbox', '.env', 'bench']) expect(ignored.split('\n')).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const raw = read('docker-compose.yml');
  const file = ComposeFile.parse(parse(raw));

  it('validates against the compose-spec subset, with consistent references', () => {
    expect(composeProblems(file, raw)).toEqual([]);
    expect(ComposeFile.safeParse({ services: { bot: { image: 'x', restart: 'sometimes' } } }).success).toBe(false);
    expect(ComposeFile.safeParse({ version: '3.9', services: {} }).success).toBe(false);
    expect(composeProblems(ComposeFile.parse({ services: { a: { image: 'x', depends_on: { b: { condition: 'service_healthy' } } } } }), '')).toHaveLength(1);
  });

  it('runs Redis with AOF on a named volume and a healthcheck the bot waits for', () => {
    const redis = file.services['redis'];
    expect([redis?.command].flat().join(' ')).toMatch(/--appendonly yes/);
    expect(redis?.volumes).toContainEqual({ type: 'volume', source: 'redis-data', target: '/data' });
    expect(file.volumes).toHaveProperty('redis-data');
    expect(file.services['bot']?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  it('runs the bot from this Dockerfile, non-root and read-only, with the kubeconfig mounted read-only and a config it accepts', () => {
    const bot = file.services['bot'];
    expect(bot?.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(bot).toMatchObject({ user: '1000:1000', read_only: true, cap_drop: ['ALL'], tmpfs: ['/tmp'] });
    const env = z.record(z.string(), z.string()).parse(bot?.environment);
    const kubeconfig = bot?.volumes?.find((v) => typeof v !== 'string' && v.target === env['KUBECONFIG']);
    expect(kubeconfig).toMatchObject({ type: 'bind', read_only: true });
    expect(new URL(env['REDIS_URL'] ?? '').hostname).toBe('redis');
    expect(bot?.env_file).toEqual(['.env']);
    // The env file template plus the compose environment is a configuration the bot accepts.
    const example = Object.fromEntries(read('deploy/compose.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(Object.keys(example)).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']));
    const config = loadConfig({ ...example, ...env });
    expect(config.kube.kubeconfigPath).toBe('/etc/cilium-runbook/kubeconfig');
  });
});
