/** What the SKU's object is asked to do, as the edge and the coordinators send it, and what it answers. */
import type { MoveWithStock, Stock } from "../domain/contract";
import type { At } from "../domain/ledger";
import type { Allocation } from "../domain/balances";
import { DEFAULT_LOCATION } from "../domain/locations";

export interface ReceiveInput {
  quantity: number;
  reason?: string | undefined;
  ref?: string | undefined;
  /** (v1.2) A location the edge checked against the registry; absent: `default` (or the incoming's). */
  location?: string | undefined;
  /** (v1.2) The incoming the receipt counts against. */
  incoming_id?: string | undefined;
}

export interface AdjustInput {
  delta: number;
  reason: string;
  ref?: string | undefined;
  expected_version?: number | undefined;
  location?: string | undefined;
  /** (v1.2) Lets the adjust take available below 0 (the SKU is then short). */
  allow_short?: boolean | undefined;
}

/** (v1.2) PUT …/incoming/:id. */
export interface IncomingInput {
  quantity: number;
  expected_at_ms: number;
  location?: string | undefined;
}

export interface CountInput {
  on_hand: number;
  reason?: string | undefined;
  ref?: string | undefined;
  expected_version?: number | undefined;
  location?: string | undefined;
}

export interface TransferInput {
  from: string;
  to: string;
  quantity: number;
  reason?: string | undefined;
  ref?: string | undefined;
  expected_version?: number | undefined;
}

/** Where an operator's command acts: the location it names, or `default`. */
export const atOf = (location: string | undefined): At => ({ location: location ?? DEFAULT_LOCATION, named: location !== undefined });

/** A stocktake's answer: the move it made (null when the count equalled on_hand) and the stock after. */
export interface CountResult {
  move: MoveWithStock["move"] | null;
  stock: Stock;
}

export interface HoldResult {
  sku: string;
  held: number;
  /** (v1.2) Where it is held, in allocation order. */
  allocations: Allocation[];
}
