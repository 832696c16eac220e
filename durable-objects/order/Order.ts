/**
 * One Durable Object per order id. A reservation's commit first claims the id here (so one order id can
 * never belong to two reservations), then opens the order with the quantities it committed. Fulfil, cancel
 * and return are decided here against the order's lines, recorded with an intent, and sent to each product
 * as new totals, which the products apply idempotently; the alarm finishes an interrupted one.
 */
import {
  fail,
  isoInstant,
  succeed,
  type ApiError,
  type IdempotencyToken,
  type Order as OrderView,
  type OrderLine,
  type Outcome,
  type RequestedLine,
} from "../domain/contract";
import { DEFAULT_LOCATION } from "../domain/locations";
import type { ObjectBindings } from "../bindings";
import { attempt, requireAll } from "../shared/calls";
import { Coordinator } from "../shared/coordinator";
import { orderListingStatements } from "./listing-sql";
import { ORDER_SCHEMA } from "./schema";
import { planBundledAction, plainParts, shelfShortfalls, type BundleOrderLine, type OrderAction } from "../domain/order-lines";
import type { Component } from "../domain/bundles";
import { clock } from "../shared/clock";
import { SYSTEM_ACTOR, type Actor } from "../domain/actors";
import { refusalOf, type CommittedBundle, type Header, type TotalsIntent } from "./intents";

export class Order extends Coordinator<TotalsIntent> {
  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env, ORDER_SCHEMA);
  }

  // ---- called by the reservation's commit ---------------------------------------------------------

  /** Reserves this order id for one reservation; another reservation asking gets a conflict. */
  async claim(orderId: string, reservationId: string): Promise<Outcome<{ order_id: string }>> {
    this.schema.ensure();
    const header = this.header();
    if (header && header.reservation_id !== reservationId) {
      return fail("idempotency_conflict", `order id ${orderId} belongs to another reservation`);
    }
    if (!header) {
      const now = clock.now();
      this.sql.exec(
        `INSERT INTO order_header (id, order_id, reservation_id, created_at_ms, updated_at_ms)
         VALUES (1, ?, ?, ?, ?)`,
        orderId,
        reservationId,
        now,
        now,
      );
    }
    return succeed({ order_id: orderId });
  }

  /** Gives the id back after an aborted commit, unless the order was already opened. */
  async unclaim(orderId: string, reservationId: string): Promise<Outcome<{ order_id: string }>> {
    if (this.schema.exists) this.sql.exec("DELETE FROM order_header WHERE reservation_id = ? AND opened = 0", reservationId);
    return succeed({ order_id: orderId });
  }

  /**
   * Opens the order with what the commit took of each SKU, and where, and (v1.2) its bundle lines; opening
   * again changes nothing.
   */
  async open(orderId: string, reservationId: string, lines: OrderLine[], bundles: CommittedBundle[] = []): Promise<Outcome<OrderView>> {
    this.schema.ensure();
    this.transactSync(() => {
      const header = this.header();
      if (header?.opened) return;
      const now = clock.now();
      this.sql.exec(
        `INSERT INTO order_header (id, order_id, reservation_id, opened, created_at_ms, updated_at_ms)
         VALUES (1, ?, ?, 1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET opened = 1, updated_at_ms = excluded.updated_at_ms`,
        orderId,
        reservationId,
        now,
        now,
      );
      for (const line of lines) {
        this.sql.exec(
          "INSERT INTO order_lines (sku, committed, allocations) VALUES (?, ?, ?)",
          line.sku,
          line.committed,
          JSON.stringify(line.allocations),
        );
      }
      for (const b of bundles) {
        this.sql.exec(
          "INSERT INTO order_bundles (sku, committed, components) VALUES (?, ?, ?)",
          b.sku,
          b.quantity,
          JSON.stringify(b.components.map(({ sku, quantity }) => ({ sku, quantity }))),
        );
      }
      this.listing.noteChanged(now);
    });
    await this.schedule.arm();
    return succeed(this.view()!);
  }

  // ---- order calls -------------------------------------------------------------------------------

  async get(orderId: string): Promise<Outcome<OrderView>> {
    const order = this.view();
    return order ? succeed(order) : fail("not_found", `no order ${orderId}`);
  }

  /** Fulfil, cancel or return; `lines` omitted (fulfil and cancel) means every outstanding unit. */
  async act(
    orderId: string,
    action: OrderAction,
    lines: RequestedLine[] | undefined,
    idem: IdempotencyToken | null,
    actor: Actor,
  ): Promise<Outcome<OrderView>> {
    return this.serially(`order ${orderId} ${action}`, async () => {
      if (action === "fulfil") {
        const short = await this.shelvesShort(lines);
        if (short) return short;
      }
      const intent = this.recordAction(orderId, action, lines, idem, actor);
      if (intent.totals) {
        // Armed before the first product call, so an object that dies during it is woken to finish.
        await this.schedule.arm();
        const refused = await this.sendTotals(orderId, intent.totals);
        if (refused.length > 0) {
          return fail("insufficient_stock", "the shelf no longer holds the units this fulfil would ship", {
            shortfalls: refused.flatMap((e) => e.details?.shortfalls ?? []),
          });
        }
      }
      return intent.outcome;
    });
  }

  /**
   * (v1.2) A fulfil needs the units on the shelf they ship from. Asked of each product before anything is
   * recorded (this order runs one action at a time, so its own lines cannot change meanwhile).
   */
  private async shelvesShort(requested: RequestedLine[] | undefined): Promise<Outcome<never> | null> {
    if (!this.schema.exists) return null;
    const lines = this.lines();
    const plan = planBundledAction(lines, this.bundles(), "fulfil", requested);
    if (!plan.ok || plan.changed.length === 0) return null;
    const stocks = await Promise.all(
      plan.changed.map((sku) => attempt(`reading the stock of ${sku}`, () => this.peers.product(sku).getStock(sku, null))),
    );
    requireAll(stocks, "reading the shelves a fulfil ships from");
    const onHand = new Map(
      stocks.flatMap((s) => (s.ok ? s.value.locations.map((l) => [`${s.value.sku}\u0000${l.location}`, l.on_hand] as const) : [])),
    );
    const planned = plan.lines.filter((l) => plan.changed.includes(l.sku));
    const shortfalls = shelfShortfalls(lines, planned, (sku, location) => onHand.get(`${sku}\u0000${location}`) ?? 0);
    if (shortfalls.length === 0) return null;
    return fail("insufficient_stock", "the shelf does not hold the units this fulfil would ship", { shortfalls });
  }

  /** Validates the request and, in one transaction, stores the new totals, the intent and the outcome. */
  private recordAction(
    orderId: string,
    action: OrderAction,
    requested: RequestedLine[] | undefined,
    idem: IdempotencyToken | null,
    actor: Actor,
  ): { outcome: Outcome<OrderView>; totals?: TotalsIntent } {
    if (!this.schema.exists) return { outcome: fail("not_found", `no order ${orderId}`) };
    return this.transactSync(() => {
      const now = clock.now();
      if (idem) {
        const prior = this.idempotency.recall<OrderView>(action, idem, now);
        if (prior) return { outcome: prior };
      }
      const remember = (outcome: Outcome<OrderView>) => {
        if (idem) this.idempotency.remember(action, idem, outcome, now);
        return outcome;
      };
      if (!this.header()?.opened) return { outcome: fail("not_found", `no order ${orderId}`) };

      const plan = planBundledAction(this.lines(), this.bundles(), action, requested);
      if (!plan.ok) return { outcome: remember(refusalOf(action, plan)) };
      if (plan.changed.length === 0) return { outcome: remember(succeed(this.view()!)) };

      const before = new Map(this.lines().map((l) => [l.sku, l]));
      const changed = plan.lines
        .filter((l) => plan.changed.includes(l.sku))
        .map((l) => ({ ...l, location: plan.locations.get(l.sku) ?? null, previous: before.get(l.sku)! }));
      for (const l of changed) {
        this.sql.exec(
          "UPDATE order_lines SET fulfilled = ?, cancelled = ?, returned = ?, allocations = ? WHERE sku = ?",
          l.fulfilled,
          l.cancelled,
          l.returned,
          JSON.stringify(l.allocations),
          l.sku,
        );
      }
      for (const b of plan.bundles.filter((b) => plan.changedBundles.includes(b.sku))) {
        this.sql.exec(
          "UPDATE order_bundles SET fulfilled = ?, cancelled = ?, returned = ? WHERE sku = ?",
          b.fulfilled,
          b.cancelled,
          b.returned,
          b.sku,
        );
      }
      this.sql.exec("UPDATE order_header SET updated_at_ms = ?", now);
      this.listing.noteChanged(now);
      const totals: TotalsIntent = { lines: changed, actor };
      this.intents.record(totals, now);
      return { outcome: remember(succeed(this.view()!)), totals };
    });
  }

  /** Returns the products' refusals of lines that were put back (none when every product applied its totals). */
  private async sendTotals(orderId: string, intent: TotalsIntent): Promise<ApiError[]> {
    const results = await Promise.all(
      intent.lines.map((l) =>
        attempt(`sending ${l.sku} the totals of order ${orderId}`, () =>
          this.peers.product(l.sku).applyOrderTotals(
            l.sku,
            orderId,
            { fulfilled: l.fulfilled, cancelled: l.cancelled, returned: l.returned },
            intent.actor ?? SYSTEM_ACTOR,
            l.location ?? null,
          ),
        ),
      ),
    );
    // A fulfil the shelf can no longer give (a count between the check and here) will never apply: its
    // line goes back to what the product holds, so recovery does not retry it forever.
    const refused = intent.lines.filter((l, i) => {
      const r = results[i]!;
      return !r.ok && r.error.code === "insufficient_stock" && l.previous;
    });
    requireAll(
      results.filter((r) => r.ok || r.error.code !== "insufficient_stock"),
      "sending order totals to products",
    );
    this.transactSync(() => {
      for (const { sku, previous } of refused) {
        const { fulfilled, cancelled, returned, allocations } = previous!;
        this.sql.exec(
          "UPDATE order_lines SET fulfilled = ?, cancelled = ?, returned = ?, allocations = ? WHERE sku = ?",
          fulfilled,
          cancelled,
          returned,
          JSON.stringify(allocations),
          sku,
        );
        console.warn(JSON.stringify({ event: "order_line_refused", order_id: orderId, sku, reason: "insufficient_stock" }));
      }
      if (refused.length > 0) this.listing.noteChanged(clock.now());
      this.intents.finish();
    });
    return results.flatMap((r, i) => (!r.ok && refused.includes(intent.lines[i]!) ? [r.error] : []));
  }

  /** Sends the totals a previous call recorded but may not have delivered to every product. */
  protected override async catchUp(): Promise<void> {
    const intent = this.intents.current();
    const header = this.header();
    if (intent && header) await this.sendTotals(header.order_id, intent);
  }

  // ---- storage -----------------------------------------------------------------------------------

  protected override listingStatements(db: D1Database, revision: number): D1PreparedStatement[] | null {
    const view = this.view();
    return view ? orderListingStatements(db, view, revision) : null;
  }

  private header(): Header | null {
    if (!this.schema.exists) return null;
    return this.sql.exec<Header>("SELECT * FROM order_header").toArray()[0] ?? null;
  }

  private lines(): OrderLine[] {
    return this.sql
      .exec<Omit<OrderLine, "allocations"> & { allocations: string | null } & Record<string, SqlStorageValue>>(
        "SELECT sku, committed, fulfilled, cancelled, returned, allocations FROM order_lines ORDER BY sku",
      )
      .toArray()
      .map(({ allocations, ...l }) => ({
        ...l,
        // Lines opened before v1.2 were all at `default`.
        allocations:
          allocations === null
            ? [{ location: DEFAULT_LOCATION, committed: l.committed, fulfilled: l.fulfilled, cancelled: l.cancelled, returned: l.returned }]
            : JSON.parse(allocations),
      }));
  }

  /** (v1.2) The order's bundle lines (none for orders without bundles, and orders opened before). */
  private bundles(): BundleOrderLine[] {
    return this.sql
      .exec<Omit<BundleOrderLine, "components"> & { components: string } & Record<string, SqlStorageValue>>(
        "SELECT sku, committed, fulfilled, cancelled, returned, components FROM order_bundles ORDER BY sku",
      )
      .toArray()
      .map(({ components, ...b }) => ({ ...b, components: JSON.parse(components) as Component[] }));
  }

  /** The lines as the order shows them: each SKU's own line, and each bundle line with its components. */
  private shownLines(): OrderLine[] {
    const bundles = this.bundles();
    const plain = plainParts(this.lines(), bundles);
    const shown: OrderLine[] = [...plain, ...bundles.map((b) => ({ ...b, allocations: [] }))];
    return shown.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  }

  private view(): OrderView | null {
    const header = this.header();
    if (!header?.opened) return null;
    return {
      order_id: header.order_id,
      reservation_id: header.reservation_id,
      lines: this.shownLines(),
      created_at: isoInstant(header.created_at_ms),
      updated_at: isoInstant(header.updated_at_ms),
    };
  }
}
