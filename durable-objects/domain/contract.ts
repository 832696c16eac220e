/** The public objects of API.md, shared by the Worker, the RPC entrypoint and the Durable Objects. */
import type { MoveType } from "./balances";

export interface Move {
  sku: string;
  seq: number;
  type: MoveType;
  quantity: number;
  on_hand: number;
  reserved: number;
  committed: number;
  available: number;
  reservation_id: string | null;
  order_id: string | null;
  reason: string | null;
  ref: string | null;
  at: string;
  /** (v1.2) Where the move happened: never null (moves from before v1.2 are at `default`). */
  location: string;
  /** (v1.2) Where a `transferred` move took the units; null for every other type. */
  to_location: string | null;
  /** (v1.2) The incoming an `expected`, `expected_cancelled` or `received` move concerns; null otherwise. */
  incoming_id: string | null;
  /** (v1.2) The SKU's units incoming (open, not yet received) after the move. */
  incoming: number;
  /** (v1.2) Who made it (domain/actors.ts); null for moves made before v1.2. */
  actor: string | null;
}

/** A SKU's four numbers: its totals over every location. */
export interface StockTotals {
  sku: string;
  on_hand: number;
  reserved: number;
  committed: number;
  available: number;
  version: number;
  updated_at: string | null;
}

/** (v1.2) The four numbers at one location. */
export interface LocationStock {
  location: string;
  on_hand: number;
  reserved: number;
  committed: number;
  available: number;
}

/**
 * The Stock object: the totals, and (v1.2) every location the SKU ever had a move at, by id, the units
 * incoming, and what a new reservation could take now.
 */
export interface Stock extends StockTotals {
  locations: LocationStock[];
  incoming: number;
  available_to_promise: number;
}

export interface MoveWithStock {
  move: Move;
  stock: Stock;
}

export interface MovesPage {
  moves: Move[];
  next_after_seq: number | null;
}

/** A quantity of one SKU: a reservation's line, or what a fulfil, cancel or return asks of an order. */
export interface SkuQuantity {
  sku: string;
  quantity: number;
}

/** A SKU's settings (contract v1.1). */
export interface SkuSettings {
  sku: string;
  /** available at or below it is low (`GET /v1/stock?low=true`); null: never low. */
  low_stock_threshold: number | null;
  /** (v1.2) Units reservations may take beyond the shelf. */
  backorder_limit: number;
  /** (v1.2) Whether reservations may also take incoming units. */
  preorder: boolean;
  updated_at: string | null;
}

export type ReservationStatus = "active" | "committed" | "released" | "expired";

/** A reservation line as asked for: (v1.2) `location` holds it there alone. */
export interface RequestedLine extends SkuQuantity {
  location?: string | undefined;
}

/** A reservation line as shown: (v1.2) where its units are held, in allocation order. */
export interface ReservationLine {
  sku: string;
  quantity: number;
  location?: string;
  allocations: Array<{ location: string; quantity: number }>;
  /** (v1.2) A bundle line: its components per unit of the bundle as made, and where each is held. */
  components?: Array<{ sku: string; quantity: number; allocations: Array<{ location: string; quantity: number }> }>;
}

export interface Reservation {
  id: string;
  holder: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  expires_at: string;
  order_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderLine {
  sku: string;
  /** What the order took at checkout. */
  committed: number;
  fulfilled: number;
  cancelled: number;
  returned: number;
  /** (v1.2) The same by location, in the order the units were allocated. */
  allocations: Array<{ location: string; committed: number; fulfilled: number; cancelled: number; returned: number }>;
  /** (v1.2) A bundle line: its components per unit of the bundle, as the reservation made it. */
  components?: Array<{ sku: string; quantity: number }>;
}

export interface Order {
  order_id: string;
  reservation_id: string;
  lines: OrderLine[];
  created_at: string;
  updated_at: string;
}

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "insufficient_stock"
  | "version_conflict"
  | "reservation_not_active"
  | "idempotency_conflict"
  | "quantity_exceeds_order"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "internal"
  | "unavailable";

export interface Shortfall {
  sku: string;
  requested: number;
  available: number;
  /** (v1.2) The location the request named. */
  location?: string;
}

/** The `details` API.md defines, by error code. */
export interface ErrorDetails {
  /** invalid_request */
  issues?: Array<{ path: string; message: string }>;
  /** insufficient_stock */
  shortfalls?: Shortfall[];
  /** version_conflict */
  current_version?: number;
  /** reservation_not_active */
  status?: ReservationStatus;
  /** quantity_exceeds_order: each line over what the order allows */
  lines?: Array<{ sku: string; requested: number; allowed: number }>;
  /** unavailable: the same request may be sent again */
  retryable?: true;
  /** (v1.2) conflict: the SKU a stock command named is a bundle */
  bundle?: true;
  /** quantity_exceeds_order from a single product */
  sku?: string;
  requested?: number;
  limit?: number;
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export const STATUS_OF_ERROR: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  insufficient_stock: 409,
  version_conflict: 409,
  reservation_not_active: 409,
  idempotency_conflict: 409,
  quantity_exceeds_order: 409,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export const ERROR_CODES = Object.keys(STATUS_OF_ERROR) as [ErrorCode, ...ErrorCode[]];

/** An instant as the API writes it: ISO-8601 UTC with milliseconds. */
export const isoInstant = (ms: number): string => new Date(ms).toISOString();

/** The only text a 500 ever carries: what went wrong goes to the log, never to a client. */
const INTERNAL_MESSAGE = "internal error";

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * What every service call answers, over HTTP and RPC alike: failures are values, never thrown.
 * `created` marks a success that made a new resource (HTTP 201 where the call can also answer 200).
 */
export type Outcome<T> = { ok: true; value: T; created?: boolean } | { ok: false; error: ApiError };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (
  code: ErrorCode,
  message: string,
  details?: ErrorDetails,
): { ok: false; error: ApiError } => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

export const internal = () => fail("internal", INTERNAL_MESSAGE);

/** A Durable Object or D1 was overloaded or unreachable; nothing was half-applied, so a retry is safe. */
export const unavailable = () =>
  fail("unavailable", "the service is busy or an object is restarting; retry shortly", { retryable: true });

/** `Idempotency-Key` with the fingerprint of the request body it came with. */
export interface IdempotencyToken {
  key: string;
  fingerprint: string;
}

/** A webhook subscription (contract v1.1); its secret appears only in the answer to its creation. */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: string;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

/** One event on its way to one endpoint: its attempts so far and what became of them. */
export interface WebhookDelivery {
  event_id: string;
  type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

export interface DeliveriesPage {
  items: WebhookDelivery[];
  next_after: string | null;
}
