/** A decided move with every field the decider does not set left empty: one builder for every rule module. */
import type { MoveDraft, MoveType } from "./balances";

export function move(type: MoveType, quantity: number, location: string, fields: Partial<MoveDraft> = {}): MoveDraft {
  return {
    type,
    quantity,
    reservation_id: null,
    order_id: null,
    reason: null,
    ref: null,
    location,
    to_location: null,
    incoming_id: null,
    incoming_delta: 0,
    ...fields,
  };
}
