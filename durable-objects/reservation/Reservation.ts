/**
 * One Durable Object per reservation id: the coordinator of a reservation's holds across SKUs.
 *
 * Every call runs in a serial queue, so a PUT, a DELETE, a commit and the expiry alarm of one reservation
 * never interleave. Before it calls any product, a call records its intent durably; if the object dies
 * half-way, the next call or the alarm finishes the intent first: forwards when nothing left can be refused,
 * backwards when it can. Product holds are targets, so finishing twice moves nothing twice.
 */
import {
  fail,
  internal,
  succeed,
  unavailable,
  type IdempotencyToken,
  type Outcome,
  type Reservation as ReservationView,
} from "../domain/contract";
import type { ObjectBindings } from "../bindings";
import type { HoldPlace } from "../domain/ledger";
import type { Allocation, ReleaseReason } from "../domain/balances";
import { DEFAULT_LOCATION } from "../domain/locations";
import { planChange } from "../domain/reservation-plan";
import { attempt, requireAll, worstOf } from "../shared/calls";
import { Coordinator } from "../shared/coordinator";
import { reservationListingStatements } from "./listing-sql";
import { heldLines, holdsOf, ReservationRecords, viewOf, withAllocations, type RecordLine, type ReservationRecord } from "./record";
import { RESERVATION_SCHEMA } from "./schema";
import { clock } from "../shared/clock";
import { SYSTEM_ACTOR, type Actor } from "../domain/actors";
import {
  actorOf,
  EXPIRY,
  holdDeadline,
  notActive,
  notFound,
  placeOf,
  refusalOf,
  rollbackPlace,
  upgradeIntent,
  type Intent,
  type PutInput,
} from "./intents";

export class Reservation extends Coordinator<Intent> {
  private readonly records: ReservationRecords;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env, RESERVATION_SCHEMA);
    this.records = new ReservationRecords(this.sql, () => this.schema.exists);
  }

  // ---- calls -------------------------------------------------------------------------------------

  async get(id: string): Promise<Outcome<ReservationView>> {
    const record = this.records.load();
    return record ? succeed(viewOf(record, clock.now())) : notFound(id);
  }

  /**
   * PUT: create, replace or reopen. All lines are held or none; `created` marks a new reservation. `order` is
   * the active locations in allocation order, for lines that name none.
   */
  async put(id: string, input: PutInput, actor: Actor, order: string[] = [DEFAULT_LOCATION]): Promise<Outcome<ReservationView>> {
    return this.serially("reservation call", async () => {
      const now = clock.now();
      const current = this.records.load();
      if (current?.status === "committed") return notActive("committed");
      const target: ReservationRecord = {
        id,
        holder: input.holder,
        status: "active",
        lines: input.lines.map(({ sku, quantity, location, components }) => ({
          sku,
          quantity,
          ...(location === undefined ? {} : { location }),
          ...(components === undefined ? {} : { components: components.map((c) => ({ sku: c.sku, quantity: c.quantity })) }),
        })),
        expires_at_ms: now + input.ttl_seconds * 1000,
        order_id: null,
        created_at_ms: current?.created_at_ms ?? now,
        updated_at_ms: now,
      };
      const plan = planChange(holdsOf(heldLines(current)), holdsOf(target.lines));
      const intent: Intent = { kind: "put", phase: "grow", previous: current, target, plan, order, actor };
      await this.begin(intent);

      const results = await Promise.all(
        plan.grow.map((c) => this.holdAt(c.sku, id, c.to, holdDeadline(target), "updated", actor, placeOf(c.location, order))),
      );
      const refused = results.flatMap((r) => (r.ok ? [] : [r.error]));
      if (refused.length > 0) {
        await this.rollBackGrowth(intent);
        return refusalOf(refused);
      }
      const held = new Map(results.flatMap((r) => (r.ok ? [[r.value.sku, r.value.allocations] as const] : [])));
      const saved = await this.completePut({ ...intent, phase: "shrink" }, held);
      return { ...succeed(viewOf(saved, now)), created: current === null };
    });
  }

  /** DELETE: releases every line. Released or expired reservations answer as they are. */
  async release(id: string, actor: Actor): Promise<Outcome<ReservationView>> {
    return this.serially("reservation call", async () => {
      const current = this.records.load();
      if (!current) return notFound(id);
      if (current.status === "committed") return notActive("committed");
      if (current.status === "active") await this.releaseAll(current, "cancelled", actor);
      return succeed(viewOf(this.records.load()!, clock.now()));
    });
  }

  /** Checkout: every line from reserved to committed, all or none, and the order created. */
  async commit(id: string, orderId: string, idem: IdempotencyToken | null, actor: Actor): Promise<Outcome<ReservationView>> {
    return this.serially("reservation call", async () => {
      if (idem && this.schema.exists) {
        const prior = this.idempotency.recall<ReservationView>("commit", idem, clock.now());
        if (prior) return prior;
      }
      const outcome = await this.commitOnce(id, orderId, actor);
      // Failures a retry may mend (500, 503) are not remembered: the same key may try again.
      const final = outcome.ok || !["internal", "unavailable"].includes(outcome.error.code);
      if (idem && final) {
        this.schema.ensure();
        this.idempotency.remember("commit", idem, outcome, clock.now());
      }
      return outcome;
    });
  }

  private async commitOnce(id: string, orderId: string, actor: Actor): Promise<Outcome<ReservationView>> {
    const current = this.records.load();
    if (!current) return notFound(id);
    if (current.status === "committed") {
      return current.order_id === orderId
        ? succeed(viewOf(current, clock.now()))
        : fail("idempotency_conflict", `the reservation was committed as order ${current.order_id}`);
    }
    if (current.status !== "active") return notActive(current.status);

    const intent: Intent = { kind: "commit", phase: "claim", record: current, order_id: orderId, actor };
    await this.begin(intent);
    const claim = await attempt(`claiming order id ${orderId}`, () => this.peers.order(orderId).claim(orderId, id));
    if (!claim.ok) {
      if (claim.error.code === "idempotency_conflict") {
        this.intents.finish();
        return claim;
      }
      // The claim may have been applied with only its reply lost: give the id back before answering.
      await this.abortCommit(intent);
      return claim;
    }

    this.intents.advance({ ...intent, phase: "prepare" });
    const prepared = await Promise.all(
      holdsOf(current.lines).map((l) =>
        attempt(`preparing the commit of ${l.sku}`, () =>
          this.peers.product(l.sku).prepareCommit(l.sku, id, orderId, l.quantity),
        ),
      ),
    );
    const unprepared = prepared.flatMap((r) => (r.ok ? [] : [r.error]));
    if (unprepared.length > 0) {
      await this.abortCommit(intent);
      // A hold is gone only when its own deadline released it: the reservation has expired.
      const lost = unprepared.some((e) => e.code === "reservation_not_active");
      if (!lost) return worstOf(unprepared) === "unavailable" ? unavailable() : internal();
      await this.releaseAll(current, "expired", SYSTEM_ACTOR);
      return notActive("expired");
    }

    this.intents.advance({ ...intent, phase: "commit" });
    return succeed(viewOf(await this.completeCommit({ ...intent, phase: "commit" }), clock.now()));
  }

  // ---- finishing intents -------------------------------------------------------------------------

  /**
   * The second phase of a PUT, and its final write. `held` is what the grow phase's products answered; after
   * a restart it is empty, and the grown lines' allocations are asked of their products again.
   */
  private async completePut(
    intent: Extract<Intent, { kind: "put" }>,
    held: ReadonlyMap<string, Allocation[]> = new Map(),
  ): Promise<ReservationRecord> {
    const { plan } = intent;
    const order = intent.order ?? [DEFAULT_LOCATION];
    // The shrink phase is recorded only when there are calls to make in it; with none, the final write
    // follows at once.
    if (plan.shrink.length > 0) this.intents.advance(intent);
    const results = await Promise.all(
      plan.shrink.map((c) =>
        this.holdAt(c.sku, intent.target.id, c.to, holdDeadline(intent.target), "updated", actorOf(intent), placeOf(c.location, order)),
      ),
    );
    requireAll(results, "shrinking the lines of a PUT");
    const allocations = new Map(held);
    for (const r of results) if (r.ok) allocations.set(r.value.sku, r.value.allocations);
    for (const { sku } of holdsOf(intent.target.lines)) {
      if (!allocations.has(sku)) allocations.set(sku, await this.heldAt(sku, intent.target.id));
    }
    const target: ReservationRecord = { ...intent.target, lines: withAllocations(intent.target.lines, allocations) };
    this.transactSync(() => {
      this.records.save(target);
      this.listing.noteChanged(clock.now());
      // Never later than it was: an expiry that rings early finds the reservation not yet due and re-points.
      this.schedule.atOrBefore(EXPIRY.kind, EXPIRY.key, target.expires_at_ms);
      this.intents.finish();
    });
    return target;
  }

  /** Puts back what a refused or interrupted PUT had grown; the stored record was never replaced. */
  private async rollBackGrowth(intent: Extract<Intent, { kind: "put" }>): Promise<void> {
    const { previous, target, plan } = intent;
    const deadline = previous?.status === "active" ? holdDeadline(previous) : 0;
    const order = intent.order ?? [DEFAULT_LOCATION];
    const results = await Promise.all(
      plan.grow.map((c) => this.holdAt(c.sku, target.id, c.from, deadline, "rolled_back", actorOf(intent), rollbackPlace(c, order))),
    );
    requireAll(results, "rolling back a refused PUT");
    this.intents.finish();
  }

  private async releaseAll(record: ReservationRecord, reason: "cancelled" | "expired", actor: Actor): Promise<void> {
    const target: ReservationRecord = {
      ...record,
      status: reason === "expired" ? "expired" : "released",
      updated_at_ms: clock.now(),
    };
    const intent: Intent = { kind: "release", reason, target, actor };
    await this.begin(intent);
    await this.completeRelease(intent);
  }

  private async completeRelease(intent: Extract<Intent, { kind: "release" }>): Promise<void> {
    const { target, reason } = intent;
    const results = await Promise.all(
      holdsOf(target.lines).map((l) => this.holdAt(l.sku, target.id, 0, 0, reason, actorOf(intent), placeOf(undefined, []))),
    );
    requireAll(results, `releasing a reservation (${reason})`);
    this.transactSync(() => {
      this.records.save(target);
      this.listing.noteChanged(clock.now());
      this.schedule.remove(EXPIRY.kind, EXPIRY.key);
      this.intents.finish();
    });
  }

  private async abortCommit(intent: Extract<Intent, { kind: "commit" }>): Promise<void> {
    const { record, order_id } = intent;
    const results = await Promise.all(
      holdsOf(record.lines).map((l) =>
        attempt(`aborting the commit of ${l.sku}`, () =>
          this.peers.product(l.sku).abortCommit(l.sku, record.id, order_id, holdDeadline(record)),
        ),
      ),
    );
    requireAll(results, "aborting a commit");
    const unclaimed = await attempt(`unclaiming order id ${order_id}`, () =>
      this.peers.order(order_id).unclaim(order_id, record.id),
    );
    requireAll([unclaimed], "unclaiming an order id");
    this.intents.finish();
  }

  private async completeCommit(intent: Extract<Intent, { kind: "commit" }>): Promise<ReservationRecord> {
    const { record, order_id } = intent;
    const committed = await Promise.all(
      holdsOf(record.lines).map((l) =>
        attempt(`committing the hold on ${l.sku}`, () => this.peers.product(l.sku).commit(l.sku, record.id, order_id, actorOf(intent))),
      ),
    );
    requireAll(committed, "committing product holds");
    const taken = committed.flatMap((c) => (c.ok ? [c.value] : []));
    const bundles = record.lines.flatMap((l) => (l.components ? [{ sku: l.sku, quantity: l.quantity, components: l.components }] : []));
    const opened = await attempt(`opening order ${order_id}`, () => this.peers.order(order_id).open(order_id, record.id, taken, bundles));
    requireAll([opened], "opening the order");
    const bySku = new Map(taken.map((l) => [l.sku, l.allocations.map((a) => ({ location: a.location, quantity: a.committed }))]));
    const lines: RecordLine[] = withAllocations(record.lines, bySku);
    const done: ReservationRecord = { ...record, lines, status: "committed", order_id, updated_at_ms: clock.now() };
    this.transactSync(() => {
      this.records.save(done);
      this.listing.noteChanged(clock.now());
      this.schedule.remove(EXPIRY.kind, EXPIRY.key);
      this.intents.finish();
    });
    return done;
  }

  /** Finishes whatever a previous instance left half-done: forwards where it can no longer fail. */
  private async recover(): Promise<void> {
    const stored = this.intents.current();
    if (!stored) return;
    const intent = upgradeIntent(stored);
    switch (intent.kind) {
      case "put":
        if (intent.phase === "grow") return this.rollBackGrowth(intent);
        await this.completePut(intent);
        return;
      case "release":
        return this.completeRelease(intent);
      case "commit":
        if (intent.phase === "commit") {
          await this.completeCommit(intent);
          return;
        }
        return this.abortCommit(intent);
    }
  }

  /** An active reservation past `expires_at` is released as expired before anything else happens to it. */
  private async expireIfDue(): Promise<void> {
    const record = this.records.load();
    if (record?.status === "active" && clock.now() >= record.expires_at_ms) await this.releaseAll(record, "expired", SYSTEM_ACTOR);
  }

  protected override async catchUp(): Promise<void> {
    await this.recover();
    await this.expireIfDue();
  }

  protected override afterAlarm(): void {
    const record = this.records.load();
    if (record?.status === "active") this.schedule.set(EXPIRY.kind, EXPIRY.key, record.expires_at_ms);
    else this.schedule.remove(EXPIRY.kind, EXPIRY.key);
  }

  protected override listingStatements(db: D1Database, revision: number): D1PreparedStatement[] | null {
    const record = this.records.load();
    return record ? reservationListingStatements(db, record, revision) : null;
  }

  protected override forgetMemory(): void {
    this.records.forget();
  }

  // ---- storage -----------------------------------------------------------------------------------

  /** Asks the SKU's object to hold `quantity` for this reservation (a target, so a repeat moves nothing). */
  private holdAt(sku: string, id: string, quantity: number, deadlineMs: number, reason: ReleaseReason, actor: Actor, place: HoldPlace) {
    return attempt(`holding ${quantity} of ${sku}`, () => this.peers.product(sku).hold(sku, id, quantity, deadlineMs, reason, actor, place));
  }

  /** Where a SKU's object holds this reservation's units now (none when it holds nothing). */
  private async heldAt(sku: string, id: string): Promise<Allocation[]> {
    const held = await this.peers.product(sku).heldBy(id);
    return held?.allocations ?? [];
  }
}
