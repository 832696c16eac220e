/**
 * (v1.2) Incoming units, as a purchase order declares them: what may change while they are on their way,
 * and what a receipt against them does. Every change of the SKU's incoming total is a move (`expected`,
 * `expected_cancelled`, or the `received` move that names the incoming), so the ledger tells it.
 */
import type { At, Decision, Refusal } from "./ledger";
import type { MoveDraft } from "./balances";
import { move } from "./move-draft";

export type IncomingStatus = "open" | "received" | "cancelled";

/** One incoming as the SKU's object keeps it (times are the store's). */
export interface IncomingRecord {
  id: string;
  location: string;
  /** Units declared. */
  quantity: number;
  /** Units received against it so far; may pass `quantity` (a receipt is always taken in full). */
  received: number;
  expected_at_ms: number;
  status: IncomingStatus;
}

export type IncomingCommand =
  /** PUT …/incoming/:id: declare it, or change its quantity, date or location while it is open. */
  | { type: "expect"; incoming_id: string; quantity: number; location: string; expected_at_ms: number }
  /** DELETE …/incoming/:id: cancel what is not yet received. */
  | { type: "cancel_incoming"; incoming_id: string };

const accept = (moves: MoveDraft[] = [], records: { incoming?: IncomingRecord } = {}): Decision => ({ ok: true, moves, ...records });
const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });

/** The units still expected: none once it is received or cancelled. */
export const stillExpected = (i: IncomingRecord): number => (i.status === "open" ? Math.max(i.quantity - i.received, 0) : 0);

const notFound = (incoming_id: string): Decision => refuse({ code: "incoming_not_found", incoming_id });
const closed = (incoming_id: string, message: string): Decision => refuse({ code: "incoming_closed", incoming_id, message });

export function decideIncoming(current: IncomingRecord | null, command: IncomingCommand): Decision {
  const { incoming_id } = command;
  if (command.type === "cancel_incoming") {
    if (!current) return notFound(incoming_id);
    if (current.status === "cancelled") return accept();
    if (current.status === "received") return closed(incoming_id, `incoming ${incoming_id} is already received`);
    const left = stillExpected(current);
    return accept([move("expected_cancelled", left, current.location, { incoming_id, incoming_delta: -left })], {
      incoming: { ...current, status: "cancelled" },
    });
  }

  const { quantity, location, expected_at_ms } = command;
  if (!current) {
    return accept([move("expected", quantity, location, { incoming_id, incoming_delta: quantity })], {
      incoming: { id: incoming_id, location, quantity, received: 0, expected_at_ms, status: "open" },
    });
  }
  if (current.status !== "open") return closed(incoming_id, `incoming ${incoming_id} is ${current.status}`);
  if (quantity < current.received) {
    return closed(incoming_id, `incoming ${incoming_id} has already received ${current.received}`);
  }
  const next: IncomingRecord = {
    ...current,
    quantity,
    location,
    expected_at_ms,
    status: quantity === current.received ? "received" : "open",
  };
  const before = stillExpected(current);
  const after = quantity - current.received;
  const ids = { incoming_id };
  const moves =
    location !== current.location
      ? [
          move("expected_cancelled", before, current.location, { ...ids, incoming_delta: -before }),
          move("expected", after, location, { ...ids, incoming_delta: after }),
        ]
      : after > before
        ? [move("expected", after - before, location, { ...ids, incoming_delta: after - before })]
        : [move("expected_cancelled", before - after, location, { ...ids, incoming_delta: after - before })];
  return accept(
    moves.filter((m) => m.quantity > 0),
    { incoming: next },
  );
}

/**
 * A receipt against an incoming: received in full at the location named (else the incoming's), taking from
 * the incoming total at most what it still expected. It is `received` once its quantity has arrived.
 */
export function receiptAgainst(
  current: IncomingRecord | null,
  incoming_id: string,
  quantity: number,
  at: At,
  fields: { reason: string | null; ref: string | null },
): Decision {
  if (!current) return notFound(incoming_id);
  if (current.status === "cancelled") return closed(incoming_id, `incoming ${incoming_id} is cancelled`);
  const taken = Math.min(quantity, stillExpected(current));
  const received = current.received + quantity;
  const location = at.named ? at.location : current.location;
  return accept([move("received", quantity, location, { ...fields, incoming_id, incoming_delta: -taken })], {
    incoming: { ...current, received, status: received >= current.quantity ? "received" : "open" },
  });
}
