// The sandbox CLIs' option parsing: a mistake is one readable line, never Node's ERR_PARSE_ARGS_* error object.
import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../../../sandbox/cli-args.ts';

const OPTIONS = { scenario: { type: 'string', default: 'healthy' }, once: { type: 'boolean', default: false } } as const;

function usageErrorOf(argv: string[]): UsageError {
  try {
    parseOptions(argv, OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseOptions', () => {
  it('returns the values with defaults', () => {
    expect(parseOptions(['--once'], OPTIONS)).toEqual({ scenario: 'healthy', once: true });
    expect(parseOptions(['--scenario', 'map-full'], OPTIONS)).toEqual({ scenario: 'map-full', once: false });
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--scenario'], "Option '--scenario <value>' argument missing"],
    [['--once=yes'], "Option '--once' does not take an argument"],
    [['stray'], "Unexpected argument 'stray'"],
  ])('%j → %s', (argv, message) => {
    const e = usageErrorOf(argv);
    expect(e.message).toBe(message);
    expect(e.message).not.toContain('\n');
  });
});
