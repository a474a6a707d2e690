// Logs leave the process too (issue 17 item 3): message, fields and errors are redacted at info level.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { redactingLogger } from '../../../bot/log-redaction.ts';

function capture(): { lines: string[]; logger: ReturnType<typeof redactingLogger> } {
  const lines: string[] = [];
  return { lines, logger: redactingLogger(pino({ level: 'info' }, { write: (l: string) => void lines.push(l) })) };
}

describe('redactingLogger', () => {
  it('masks secrets in the message, in fields, nested fields and errors (message and stack), keeping the error type', () => {
    const { lines, logger } = capture();
    class KubeApiError extends Error {}
    logger.info(
      { err: new KubeApiError('401 for Authorization: Bearer sha256~Yk3rT9pQw2LmN8vB4x'), command: 'note INC-1 PGPASSWORD=Zq8vR2mXk4Lp', job: { data: { note: 'redis://:R3disPw77@redis:6379' } } },
      'failed with xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    );
    logger.child({ component: 'bolt' }).warn('apiToken=t0k3nValue9931XY');
    const out = lines.join('');
    for (const secret of ['Yk3rT9pQw2LmN8vB4x', 'Zq8vR2mXk4Lp', 'R3disPw77', 'AbCdEfGhIjKlMnOpQrStUvWx', 't0k3nValue9931XY']) expect(out).not.toContain(secret);
    const record = JSON.parse(lines[0] ?? '{}') as { err?: { type?: string; message?: string } };
    expect(record.err?.type).toBe('KubeApiError');
    expect(record.err?.message).toContain('[redacted:token]');
  });

  it('leaves ordinary records as they are', () => {
    const { lines, logger } = capture();
    logger.info({ cluster: 'prod', node: 'node-7', attempts: 3 }, 'diagnosis requested');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ cluster: 'prod', node: 'node-7', attempts: 3, msg: 'diagnosis requested' });
  });
});
