import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { advanceClock, clock } from "../durable-objects/shared/clock";
import { peersOf, type Peers } from "../durable-objects/shared/calls";
import type { Env } from "../src/env";
import { checkAgainstOpenApi } from "./setup/contract-check";

export const READ_TOKEN = "test-read-token";
export const WRITE_TOKEN = "test-write-token";
export const ADMIN_TOKEN = "test-admin-token";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  /** A raw body sent as is (for bad JSON and oversized bodies). */
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

/** One HTTP call to the Worker under test; the body is always read, so nothing is left unconsumed. */
export async function api<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const token = options.token === undefined ? (method === "GET" ? READ_TOKEN : WRITE_TOKEN) : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const url = `https://stockwell.test${path}`;
  const response = await exports.default.fetch(url, { method, headers, body });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  checkAgainstOpenApi(method, url, response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}

let counter = 0;
/** A SKU no other test uses, so tests sharing storage never see each other's stock. */
export function uniqueSku(prefix = "SKU"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function productStub(sku: string) {
  return env.PRODUCT_STOCK.get(env.PRODUCT_STOCK.idFromName(sku));
}

export async function receive(sku: string, quantity: number) {
  const res = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity } });
  if (res.status !== 201) throw new Error(`receive failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The whole ledger of a SKU, read page by page through the API. */
export async function ledger(sku: string): Promise<any[]> {
  const moves: any[] = [];
  let after = 0;
  for (;;) {
    const res = await api("GET", `/v1/products/${sku}/moves?after_seq=${after}&limit=1000`);
    if (res.status === 404) return moves;
    moves.push(...res.body.moves);
    if (res.body.next_after_seq === null) return moves;
    after = res.body.next_after_seq;
  }
}

/** D1's rows for a SKU, straight from the table. */
export async function d1Moves(sku: string): Promise<any[]> {
  const { results } = await env.DB.prepare("SELECT * FROM moves WHERE sku = ? ORDER BY seq").bind(sku).all();
  return results;
}

export interface LineInput {
  sku: string;
  quantity: number;
  /** (v1.2) Hold it only there. */
  location?: string;
}

export function reservationStub(id: string) {
  return env.RESERVATION.get(env.RESERVATION.idFromName(id));
}

export function orderStub(orderId: string) {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}

export function putReservation(id: string, lines: LineInput[], extra: Record<string, unknown> = {}) {
  return api("PUT", `/v1/reservations/${id}`, { body: { holder: "shopper-1", lines, ...extra } });
}

export async function stockOf(sku: string) {
  const res = await api("GET", `/v1/products/${sku}`);
  if (res.status !== 200) throw new Error(`stock of ${sku}: ${res.status}`);
  return res.body as { on_hand: number; reserved: number; committed: number; available: number; version: number };
}

/** What the product's ledger says a reservation holds: its reserved minus released and committed moves. */
export async function heldByLedger(sku: string, reservationId: string): Promise<number> {
  let held = 0;
  for (const m of await ledger(sku)) {
    if (m.reservation_id !== reservationId) continue;
    if (m.type === "reserved") held += m.quantity;
    if (m.type === "released" || m.type === "committed") held -= m.quantity;
  }
  return held;
}

/** What the product object itself records as held for a reservation. */
export async function heldByProduct(sku: string, reservationId: string): Promise<number> {
  return (await productStub(sku).getHold(reservationId))?.quantity ?? 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves every object's "now" to just past `deadlineMs`, instead of sleeping until then. */
export function passDeadline(deadlineMs: number): void {
  const wait = deadlineMs - clock.now();
  if (wait >= 0) advanceClock(wait + 1);
}

/**
 * Captures what `console[level]` prints while `body` runs, so a test can assert the errors it expects
 * instead of letting them reach the run's output.
 */
export async function capturingConsole<T>(
  level: "warn" | "error" | "log",
  body: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console[level];
  console[level] = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    return { result: await body(), lines };
  } finally {
    console[level] = original;
  }
}

export type PeerWrap = (real: Peers) => Peers;

/**
 * Stands between the reservation object `id` and the objects it calls: replaces the `peers` of the
 * instance that serves its next calls with `wrap(peers)`, which may fail or hang a call as the platform can.
 */
export async function interpose(id: string, wrap: PeerWrap): Promise<void> {
  await runInDurableObject(reservationStub(id), (instance: unknown) => {
    const coordinator = instance as { peers: Peers };
    coordinator.peers = wrap(coordinator.peers);
  });
}

/** Gives the reservation object `id` its own peers back. */
export async function restorePeers(id: string): Promise<void> {
  await runInDurableObject(reservationStub(id), (instance: unknown) => {
    const coordinator = instance as { peers: Peers; env: Env };
    coordinator.peers = peersOf(coordinator.env);
  });
}
