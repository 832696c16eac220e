/**
 * Runs `work` over `items` with at most `limit` calls under way at once, each item once, in order of start.
 * For fan-outs that must stay within the platform's limits per invocation (open connections, subrequests).
 */
export async function forEachAtMost<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
