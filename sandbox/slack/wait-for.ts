// Polls a predicate until it yields a value: tests wait for the bot's asynchronous replies with it.

export async function waitFor<T>(
  predicate: () => T | undefined | false,
  opts: { timeoutMs?: number; description?: string; intervalMs?: number; onTimeout?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = predicate();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) {
      const extra = opts.onTimeout ? `\n${opts.onTimeout()}` : '';
      throw new Error(`Timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${opts.description ?? 'condition'}${extra}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
