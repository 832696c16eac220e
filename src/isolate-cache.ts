/**
 * A value an isolate keeps for a few seconds (the location and bundle registries' lists). It holds the value,
 * never a promise of it: a promise made by one request and awaited by another stalls the second in workerd
 * until the first's context runs again (under load, for seconds). A request that finds it stale asks itself,
 * and a slower answer never replaces a newer one.
 */
export class IsolateCache<T> {
  private cached: { at: number; value: T } | null = null;

  constructor(private readonly ttlMs: number) {}

  async get(load: () => Promise<T>, fresh = false): Promise<T> {
    if (!fresh && this.cached && Date.now() - this.cached.at <= this.ttlMs) return this.cached.value;
    const asked = Date.now();
    const value = await load();
    if (!this.cached || this.cached.at <= asked) this.cached = { at: asked, value };
    return value;
  }

  forget(): void {
    this.cached = null;
  }
}
