// What the three given / when / then suites share: a SKU's balances per location from a compact table, and
// the decider's answer to one command with a way to insist that it was accepted.
import { decide, type Command, type SkuState } from "../../durable-objects/domain/ledger";
import type { Balances } from "../../durable-objects/domain/balances";

/** [on_hand, reserved, committed] at each location; reserved and committed default to 0. */
export type BalancesTable = Record<string, [number, number?, number?]>;

/** The balances at each location, and their totals over locations. */
export function balancesAt(table: BalancesTable) {
  const at = new Map<string, Balances>(
    Object.entries(table).map(([l, [on_hand, reserved = 0, committed = 0]]) => [l, { on_hand, reserved, committed }]),
  );
  const sum = (k: keyof Balances) => [...at.values()].reduce((n, b) => n + b[k], 0);
  return { at, totals: { on_hand: sum("on_hand"), reserved: sum("reserved"), committed: sum("committed") } };
}

/** The decision, and `accepted()`: the same decision, or a thrown error naming the refusal. */
export function decided(state: SkuState, command: Command) {
  const decision = decide(state, command);
  const accepted = () => {
    if (!decision.ok) throw new Error(`refused: ${JSON.stringify(decision.refusal)}`);
    return decision;
  };
  return { decision, accepted };
}
