// A small Dockerfile linter (the rules hadolint users rely on that matter here): parse instructions with line
// continuations, split stages, and report rule violations with their line numbers.
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { instructions: Instruction[]; comments: string[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  const comments: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*#/.test(line)) {
      comments.push(line.replace(/^\s*#\s?/, ''));
      continue;
    }
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (m !== null) instructions.push({ keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: start + 1 });
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name !== undefined && { name }), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return { instructions, comments, stages };
}

const ROOT_USERS = /^(root|0)(:.*)?$/;
const DEV_TOOLS = /\b(apt-get|apk|yum|dnf)\s+(install|add)\b|\bnpm\s+(install|i|ci)\b|\b(gcc|make|git|curl|wget)\b/;

/**
 * True when `ins` belongs to a named stage that only compiles: the final stage copies nothing from it but its
 * dist/ output, so dev dependencies installed there never reach the image.
 */
function compileOnly(stages: Stage[], ins: Instruction): boolean {
  const stage = stages.find((s) => s.instructions.includes(ins));
  const final = stages.at(-1);
  if (stage?.name === undefined || final === undefined || stage === final) return false;
  const copies = stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && new RegExp(`--from=${stage.name}(\\s|$)`).test(i.args));
  return copies.length > 0 && copies.every((c) => stages.indexOf(final) === stages.findIndex((s) => s.instructions.includes(c)) && c.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1).every((src) => /^\/app\/dist\/?$/.test(src)));
}

/** Rule violations, each "line N: rule: what". Empty when the Dockerfile passes. */
export function lintDockerfile(text: string): string[] {
  const { instructions, comments, stages } = parseDockerfile(text);
  const problems: string[] = [];
  const report = (ins: Instruction | undefined, rule: string, what: string): void => {
    problems.push(`line ${ins?.line ?? 0}: ${rule}: ${what}`);
  };
  if (stages.length === 0) report(undefined, 'from', 'no FROM');
  const names = new Set<string>();
  for (const ins of instructions.filter((i) => i.keyword === 'FROM')) {
    const [image = '', as, name] = ins.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
    if (!names.has(image)) {
      const [ref = '', digest] = image.split('@');
      const last = ref.slice(ref.lastIndexOf('/') + 1);
      const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
      const pinned = (digest !== undefined && /^sha256:[a-f0-9]{64}$/.test(digest)) || (tag !== undefined && /^v?\d+\.\d+\.\d+/.test(tag));
      if (!pinned) report(ins, 'pinned-from', `${image} needs a full version tag (x.y.z…) or a digest, not latest or a floating major`);
    }
    if (as?.toUpperCase() === 'AS' && name !== undefined) names.add(name);
  }
  for (const ins of instructions) {
    if (ins.keyword === 'ADD' && /\bhttps?:\/\//.test(ins.args)) report(ins, 'no-add-url', 'ADD of a URL: download in a RUN with a checksum, or COPY');
    if (/\blatest\b/.test(ins.args) && ins.keyword !== 'FROM') report(ins, 'no-latest', `"latest" in ${ins.keyword}`);
    if (ins.keyword === 'RUN' && /\bnpm\s+(install|i)\b/.test(ins.args)) report(ins, 'npm-ci', 'use npm ci (lockfile-exact), not npm install');
    if (ins.keyword === 'RUN' && /\bnpm\s+ci\b/.test(ins.args) && !/--omit=dev\b/.test(ins.args) && !compileOnly(stages, ins)) report(ins, 'npm-ci', 'npm ci without --omit=dev (allowed only in a build stage of which the final stage copies nothing but dist/)');
    if (ins.keyword === 'MAINTAINER') report(ins, 'deprecated', 'MAINTAINER is deprecated; use a LABEL');
  }
  if (!instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args))) report(undefined, 'npm-ci', 'dependencies are not installed with npm ci');
  const final = stages.at(-1);
  if (final !== undefined) {
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    const last = users.at(-1);
    if (last === undefined) report(undefined, 'non-root', 'the final stage sets no USER (runs as root)');
    else if (ROOT_USERS.test(last.args)) report(last, 'non-root', `the final stage runs as ${last.args}`);
    for (const ins of final.instructions) {
      if (ins.keyword === 'RUN' && DEV_TOOLS.test(ins.args)) report(ins, 'no-dev-tools', `the final stage installs or uses build tools: ${ins.args}`);
      if (ins.keyword === 'COPY' && !/--from=/.test(ins.args) && /(^|\s)\.\s+\S+$/.test(ins.args)) report(ins, 'no-dev-tools', 'the final stage copies the whole build context');
    }
    const cmd = final.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT').at(-1);
    if (cmd === undefined || !cmd.args.startsWith('[')) report(cmd, 'exec-form', 'CMD/ENTRYPOINT must use the JSON exec form (signals reach node)');
  }
  const hasHealthcheck = instructions.some((i) => i.keyword === 'HEALTHCHECK');
  if (!hasHealthcheck && !comments.some((c) => /^No HEALTHCHECK: .{10,}/.test(c))) report(undefined, 'healthcheck', 'HEALTHCHECK, or a "# No HEALTHCHECK: <reason>" comment');
  return problems;
}
