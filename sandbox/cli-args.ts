// Command-line options of `npm run demo` and `npm run sandbox`: `--help` prints the usage (exit 0); an unknown
// option or a missing value prints one clear line and the usage (exit 2) instead of a Node stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The option values, or a UsageError whose message says what was wrong in one line. */
export function parseOptions<O extends Options>(argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // Node's message is one sentence plus advice about `--` that does not apply here: keep the sentence.
      const first = ((e as Error).message.split('\n')[0] ?? 'invalid arguments').replace(/\.(\s.*)?$/, '');
      throw new UsageError(first);
    }
    throw e;
  }
}

/** parseOptions for a CLI entry point: `--help` → usage on stdout, exit 0; a usage error → stderr, exit 2. */
export function parseOptionsOrExit<O extends Options>(program: string, usage: string, argv: string[], options: O): ReturnType<typeof parseOptions<O>> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseOptions(argv, options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${program}: ${e.message} (see --help)`);
    console.error(usage);
    process.exit(2);
  }
}
