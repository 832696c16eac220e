// What each hold costs in storage work, counted by wrapping the runtime's own methods for the length of the
// benchmark (every object runs in the benchmark's isolate). Counted for every object alike, and per kind of
// object (bench/worker.ts names each object's storage as it is constructed):
// - statements: every `sql.exec`;
// - write segments: runs of writing statements with no await between them. Each is one implicit commit
//   the output gate waits for (a `transactionSync` is one segment);
// - alarm writes: `setAlarm` and `deleteAlarm`;
// - D1 calls: `batch`, and `run`/`all`/`first`/`raw` of a single statement (one binding for every object,
//   so counted in total only).

export interface StorageCounts {
  statements: number;
  write_segments: number;
  alarm_writes: number;
}

export interface Counts extends StorageCounts {
  d1_calls: number;
  /** The same storage work, by kind of object ("product", "reservation", …). */
  by_object: Record<string, StorageCounts>;
}

const counts: Counts = { statements: 0, write_segments: 0, alarm_writes: 0, d1_calls: 0, by_object: {} };
/** Each object's `SqlStorage` and `DurableObjectStorage`, by the kind of object it belongs to. */
const kinds = new WeakMap<object, string>();
const openSegments = new Set<object>();
let installed = false;

const READ_ONLY = /^\s*(SELECT|WITH|PRAGMA)\b/i;

/** Names an object's storage, so its work is counted under `kind`. */
export function countAs(storage: DurableObjectStorage, kind: string): void {
  kinds.set(storage, kind);
  kinds.set(storage.sql, kind);
}

function tally(owner: object, key: keyof StorageCounts): void {
  counts[key] += 1;
  const kind = kinds.get(owner) ?? "other";
  const own = (counts.by_object[kind] ??= { statements: 0, write_segments: 0, alarm_writes: 0 });
  own[key] += 1;
}

function wrap(proto: any, name: string, before: (self: object, ...args: any[]) => void): void {
  const original = proto[name];
  if (typeof original !== "function") throw new Error(`cannot count ${name}: no such method`);
  proto[name] = function (this: object, ...args: unknown[]) {
    before(this, ...args);
    return original.apply(this, args);
  };
}

/** Installs the counters once, given one object's storage and the D1 binding. */
export function installCounters(storage: DurableObjectStorage, db: D1Database): void {
  if (installed) return;
  installed = true;
  wrap(Object.getPrototypeOf(storage.sql), "exec", (sql: object, query: string) => {
    tally(sql, "statements");
    if (READ_ONLY.test(query) || openSegments.has(sql)) return;
    tally(sql, "write_segments");
    openSegments.add(sql);
    queueMicrotask(() => openSegments.delete(sql));
  });
  const storageProto = Object.getPrototypeOf(storage);
  for (const name of ["setAlarm", "deleteAlarm"]) wrap(storageProto, name, (owner: object) => tally(owner, "alarm_writes"));
  wrap(Object.getPrototypeOf(db), "batch", () => (counts.d1_calls += 1));
  const statementProto = Object.getPrototypeOf(db.prepare("SELECT 1"));
  for (const name of ["run", "all", "first", "raw"]) wrap(statementProto, name, () => (counts.d1_calls += 1));
}

export const snapshotCounts = (): Counts => structuredClone(counts);

/** What happened between two snapshots, per 1,000 of `units`. */
export function per1000(before: Counts, after: Counts, units: number): Counts {
  const rate = (a: number, b: number) => Math.round(((a - b) * 1000) / Math.max(units, 1));
  const storage = (a: StorageCounts, b: StorageCounts | undefined): StorageCounts => ({
    statements: rate(a.statements, b?.statements ?? 0),
    write_segments: rate(a.write_segments, b?.write_segments ?? 0),
    alarm_writes: rate(a.alarm_writes, b?.alarm_writes ?? 0),
  });
  const by_object = Object.fromEntries(
    Object.entries(after.by_object)
      .map(([kind, own]) => [kind, storage(own, before.by_object[kind])] as const)
      .filter(([, own]) => own.statements + own.alarm_writes > 0),
  );
  return { ...storage(after, before), d1_calls: rate(after.d1_calls, before.d1_calls), by_object };
}
