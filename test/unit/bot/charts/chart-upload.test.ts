// Charts are an extra: a chart that cannot be drawn or uploaded is logged and skipped, never thrown.
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { postChart, type ChartUpload } from '../../../../bot/chart-upload.ts';
import { renderPoolHealthChart } from '../../../../bot/render/charts/pool-health.ts';
import { pngSize } from '../../../../bot/render/charts/png.ts';

const where: ChartUpload = { channelId: 'C0OPS', threadTs: '1700000000.000100', filename: 'fleet-sweep-pools.png', title: 'pools', comment: 'Broken vs healthy nodes per pool:', key: 'sweep-chart:1' };

function recorder(fail?: Error) {
  const uploads: Record<string, unknown>[] = [];
  const warnings: { obj: object; msg: string }[] = [];
  const client = {
    filesUploadV2: (args: Record<string, unknown>) => (fail === undefined ? Promise.resolve(void uploads.push(args)) : Promise.reject(fail)),
  } as unknown as WebClient;
  return { client, uploads, warnings, logger: { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) } };
}

describe('postChart', () => {
  it('uploads the PNG bytes into the thread', async () => {
    const r = recorder();
    expect(await postChart(r.client, undefined, r.logger, where, () => renderPoolHealthChart('c', [{ pool: 'a', broken: 1, healthy: 2 }]))).toBe(true);
    expect(r.uploads).toHaveLength(1);
    expect(r.uploads[0]).toMatchObject({ channel_id: 'C0OPS', thread_ts: '1700000000.000100' });
    const file = (r.uploads[0]?.file_uploads as { file: Buffer; filename: string }[])[0];
    expect(file?.filename).toBe('fleet-sweep-pools.png');
    expect(pngSize(file?.file ?? Buffer.alloc(0))).not.toBeNull();
    expect(r.warnings).toEqual([]);
  });

  it('a rendering failure is logged and nothing is uploaded', async () => {
    const r = recorder();
    expect(await postChart(r.client, undefined, r.logger, where, () => Promise.reject(new Error('resvg: no fonts')))).toBe(false);
    expect(r.uploads).toEqual([]);
    expect(r.warnings).toEqual([{ obj: { chart: 'fleet-sweep-pools.png', err: 'resvg: no fonts' }, msg: 'chart not posted; the text report is unchanged' }]);
  });

  it('an upload failure is logged, not thrown', async () => {
    const r = recorder(new Error('not_allowed_token_type'));
    expect(await postChart(r.client, undefined, r.logger, where, () => renderPoolHealthChart('c', [{ pool: 'a', broken: 0, healthy: 1 }]))).toBe(false);
    expect(r.warnings[0]?.obj).toEqual({ chart: 'fleet-sweep-pools.png', err: 'not_allowed_token_type' });
  });
});
