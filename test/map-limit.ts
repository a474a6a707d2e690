// Runs independent async jobs at most `limit` at a time, results in input order. For test set-up whose steps spend
// much of their time waiting (child processes starting, Redis and HTTP round trips): two at once keep both cores
// busy where one at a time left them half idle.
export async function mapLimit<T, R>(items: readonly T[], limit: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`mapLimit: limit must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i] as T, i);
    }
  };
  // A failing job rejects the whole run (as a sequential loop would), after the other lanes have settled.
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results;
}
