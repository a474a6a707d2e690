// Keeps the order of posts in one Slack thread. WebClient retries a 429 after Retry-After, and meanwhile later
// requests may go first; chaining posts per thread makes the thread read in the order entries were made.
const chains = new Map<string, Promise<unknown>>();

export function inThreadOrder<T>(channel: string, threadTs: string, post: () => Promise<T>): Promise<T> {
  const key = `${channel}:${threadTs}`;
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.then(post, post);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return next;
}
