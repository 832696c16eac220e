// What each hold costs in storage work, counted by wrapping the runtime's own methods for the length of the
// benchmark (every object runs in the benchmark's isolate). Counted for every object alike:
// - statements: every `sql.exec`;
// - write segments: runs of writing statements with no await between them. Each is one implicit commit
//   the output gate waits for (a `transactionSync` is one segment);
// - alarm writes: `setAlarm` and `deleteAlarm`;
// - D1 calls: `batch`, and `run`/`all`/`first`/`raw` of a single statement.

export interface Counts {
  statements: number;
  write_segments: number;
  alarm_writes: number;
  d1_calls: number;
}

const counts: Counts = { statements: 0, write_segments: 0, alarm_writes: 0, d1_calls: 0 };
let segmentOpen = false;
let installed = false;

const READ_ONLY = /^\s*(SELECT|WITH|PRAGMA)\b/i;

function wrap(proto: any, name: string, before: (...args: any[]) => void): void {
  const original = proto[name];
  if (typeof original !== "function") throw new Error(`cannot count ${name}: no such method`);
  proto[name] = function (this: unknown, ...args: unknown[]) {
    before(...args);
    return original.apply(this, args);
  };
}

/** Installs the counters once, given one object's storage and the D1 binding. */
export function installCounters(storage: DurableObjectStorage, db: D1Database): void {
  if (installed) return;
  installed = true;
  wrap(Object.getPrototypeOf(storage.sql), "exec", (query: string) => {
    counts.statements += 1;
    if (READ_ONLY.test(query) || segmentOpen) return;
    counts.write_segments += 1;
    segmentOpen = true;
    queueMicrotask(() => (segmentOpen = false));
  });
  const storageProto = Object.getPrototypeOf(storage);
  for (const name of ["setAlarm", "deleteAlarm"]) wrap(storageProto, name, () => (counts.alarm_writes += 1));
  wrap(Object.getPrototypeOf(db), "batch", () => (counts.d1_calls += 1));
  const statementProto = Object.getPrototypeOf(db.prepare("SELECT 1"));
  for (const name of ["run", "all", "first", "raw"]) wrap(statementProto, name, () => (counts.d1_calls += 1));
}

export const snapshotCounts = (): Counts => ({ ...counts });

/** What happened between two snapshots, per 1,000 of `units`. */
export function per1000(before: Counts, after: Counts, units: number): Counts {
  const rate = (key: keyof Counts) => Math.round(((after[key] - before[key]) * 1000) / Math.max(units, 1));
  return {
    statements: rate("statements"),
    write_segments: rate("write_segments"),
    alarm_writes: rate("alarm_writes"),
    d1_calls: rate("d1_calls"),
  };
}
