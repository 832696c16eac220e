/**
 * Query validation of the read side's lists: the stock list, the change feed, the reservation and order
 * listings and the daily report. Their cursors are decoded here, so a page never starts from a guess.
 */
import { z } from "zod";
import { ACTOR_PATTERN } from "../durable-objects/domain/actors";
import { MOVE_TYPES } from "../durable-objects/domain/balances";
import { decodeListingKey } from "./read-model/listings";
import { decodeDailyKey, DEFAULT_REPORT_LIMIT, MAX_REPORT_LIMIT } from "./read-model/reports";
import { EntityId, Holder, Instant, Limit, LocationId, queryInteger, Ref, Sku, SKU_PATTERN } from "./schemas";

export const StockListQuery = z.strictObject({
  after_sku: z.string().max(64).optional().describe("SKUs after this one (the previous page's next_after_sku)"),
  limit: Limit,
  in_stock: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("true: only SKUs with available > 0; false: only those with none"),
  low: z
    .enum(["true"])
    .transform(() => true)
    .optional()
    .describe("true: only SKUs whose available is at or below their low_stock_threshold"),
  prefix: z
    .string()
    .regex(SKU_PATTERN, `must match ${SKU_PATTERN.source}`)
    .optional()
    .describe("only SKUs starting with this"),
  sku: z
    .string()
    .transform((list) => list.split(","))
    .pipe(z.array(Sku).min(1).max(100))
    .optional()
    .describe("only these SKUs: 1 to 100, comma-separated"),
  location: LocationId.optional().describe("(v1.2) the rows of this location, each with `location`"),
  short: z
    .enum(["true"])
    .transform(() => true)
    .optional()
    .describe("(v1.2) true: only SKUs whose available is below what their backorder policy allows"),
})
  .refine((q) => !(q.location !== undefined && q.low === true), {
    path: ["low"],
    message: "low applies to a SKU's totals: it does not combine with location",
  })
  .refine((q) => !(q.location !== undefined && q.short === true), {
    path: ["short"],
    message: "short applies to a SKU's totals: it does not combine with location",
  });

const MOVE_CURSOR_PATTERN = /^\d{1,16}$/;

export const MoveListQuery = z.strictObject({
  sku: Sku.optional().describe("moves of this SKU"),
  type: z.enum(MOVE_TYPES).optional().describe("moves of this type"),
  reservation_id: EntityId.optional().describe("moves of this reservation"),
  order_id: EntityId.optional().describe("moves of this order"),
  ref: Ref.optional().describe("moves with this ref"),
  location: LocationId.optional().describe("(v1.2) moves at this location, and transfers into it"),
  actor: z
    .string()
    .regex(ACTOR_PATTERN, `must match ${ACTOR_PATTERN.source}`)
    .optional()
    .describe("(v1.2) moves made by this actor: a token's name, rpc or a bound Worker's name, or system"),
  since: Instant.optional().describe("moves at or after this instant"),
  until: Instant.optional().describe("moves before this instant"),
  after: z
    .string()
    .regex(MOVE_CURSOR_PATTERN, "must be a cursor returned by this API")
    .optional()
    .describe("resume after this cursor (a move's cursor or a page's next_after)"),
  limit: Limit,
});

const MAX_REPORT_DAYS = 366;
const Day = z.iso.date();

/** An `after` query parameter: a `next_after` this API returned, decoded; anything else is refused. */
const cursorOf = <Key>(decode: (cursor: string) => Key | null) =>
  z
    .string()
    .transform((cursor, ctx) => {
      const key = decode(cursor);
      if (!key) ctx.addIssue({ code: "custom", message: "must be a next_after returned by this API" });
      return key ?? z.NEVER;
    })
    .optional()
    .describe("the previous page's next_after");

const ListingCursor = cursorOf(decodeListingKey);

export const ReservationListQuery = z.strictObject({
  holder: Holder.optional().describe("reservations of this holder"),
  status: z.enum(["active", "committed", "released", "expired"]).optional().describe("reservations in this status"),
  sku: Sku.optional().describe("reservations with a line of this SKU"),
  after: ListingCursor,
  limit: Limit,
});

export const OrderListQuery = z.strictObject({
  reservation_id: EntityId.optional().describe("the order of this reservation"),
  sku: Sku.optional().describe("orders with a line of this SKU"),
  open: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("true: orders with units outstanding (committed − fulfilled − cancelled > 0); false: none"),
  after: ListingCursor,
  limit: Limit,
});

export const DailyReportQuery = z
  .strictObject({
    sku: Sku.optional().describe("one SKU's days only"),
    from: Day.describe("first UTC day, inclusive"),
    to: Day.describe("last UTC day, inclusive; at most 366 days after from"),
    after: cursorOf(decodeDailyKey),
    limit: queryInteger(1, MAX_REPORT_LIMIT, "rows per page", DEFAULT_REPORT_LIMIT),
  })
  .superRefine((q, ctx) => {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
    if (days < 1) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    if (days > MAX_REPORT_DAYS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `the range is over ${MAX_REPORT_DAYS} days` });
    }
  });
