/**
 * Stock events (contract v1.1): which boundaries a move carried the SKU's `available` across. A pure
 * function of the available before and after the move and the low-stock threshold in force when it was
 * made, all three recorded in the move's own transaction, so an event is decided once and never lost.
 */
import type { Move, StockTotals } from "./contract";
import type { MoveType } from "./balances";

export const STOCK_EVENT_TYPES = ["stock.out_of_stock", "stock.back_in_stock", "stock.low", "stock.short", "stock.changed"] as const;
export type StockEventType = (typeof STOCK_EVENT_TYPES)[number];

export interface StockEvent {
  /** `<sku>:<seq>:<type>`: the same move and type always give the same id, so receivers can dedupe. */
  id: string;
  type: StockEventType;
  sku: string;
  seq: number;
  at: string;
  /** The SKU's totals after the move (events stay per SKU). */
  stock: StockTotals;
  low_stock_threshold: number | null;
  move: Move;
}

/**
 * The event types one move produces, in a fixed order; `stock.changed` always comes last. (v1.2) Available
 * may go below zero: out of stock is crossing from > 0 to ≤ 0, back in stock from ≤ 0 to > 0, and a count or
 * adjust (an `adjusted` move) that takes it from ≥ 0 to < 0 finds the SKU short.
 */
export function eventTypesOf(
  availableBefore: number,
  availableAfter: number,
  threshold: number | null,
  moveType: MoveType | null = null,
): StockEventType[] {
  const types: StockEventType[] = [];
  if (availableBefore > 0 && availableAfter <= 0) types.push("stock.out_of_stock");
  if (availableBefore <= 0 && availableAfter > 0) types.push("stock.back_in_stock");
  if (threshold !== null && availableBefore > threshold && availableAfter <= threshold && availableAfter > 0) {
    types.push("stock.low");
  }
  if (moveType === "adjusted" && availableBefore >= 0 && availableAfter < 0) types.push("stock.short");
  types.push("stock.changed");
  return types;
}

/** The events of one move; `availableBefore` is the previous move's available (0 before the first). */
export function eventsOf(move: Move, availableBefore: number, threshold: number | null): StockEvent[] {
  const stock: StockTotals = {
    sku: move.sku,
    on_hand: move.on_hand,
    reserved: move.reserved,
    committed: move.committed,
    available: move.available,
    version: move.seq,
    updated_at: move.at,
  };
  return eventTypesOf(availableBefore, move.available, threshold, move.type).map((type) => ({
    id: `${move.sku}:${move.seq}:${type}`,
    type,
    sku: move.sku,
    seq: move.seq,
    at: move.at,
    stock,
    low_stock_threshold: threshold,
    move,
  }));
}
