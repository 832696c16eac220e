/**
 * API.md's response objects as zod schemas, for /openapi.json. `test/contract-types.test.ts` checks at
 * compile time that each one is exactly the TypeScript type the code returns, so the two cannot drift.
 */
import { z } from "zod";
import { MOVE_TYPES } from "../durable-objects/domain/balances";
import { ERROR_CODES } from "../durable-objects/domain/contract";
import { STOCK_EVENT_TYPES } from "../durable-objects/domain/stock-events";

const Int = z.number().int();
const Instant = z.string().describe("ISO-8601 UTC with milliseconds");

export const MoveSchema = z.object({
  sku: z.string(),
  seq: Int.describe("gapless per SKU, from 1"),
  type: z.enum(MOVE_TYPES),
  quantity: Int.describe("positive; for `adjusted` the signed delta"),
  on_hand: Int,
  reserved: Int,
  committed: Int,
  available: Int,
  reservation_id: z.string().nullable(),
  order_id: z.string().nullable(),
  reason: z.string().nullable(),
  ref: z.string().nullable(),
  at: Instant,
  location: z.string().describe("(v1.2) where it happened; moves from before v1.2 are at `default`"),
  to_location: z.string().nullable().describe("(v1.2) a transfer's destination; null for every other type"),
  incoming_id: z
    .string()
    .nullable()
    .describe("(v1.2) the incoming an `expected`, `expected_cancelled` or `received` move concerns; null otherwise"),
  incoming: Int.describe("(v1.2) the SKU's units incoming (open, not yet received) after the move"),
  actor: z
    .string()
    .nullable()
    .describe("(v1.2) who made it: a token's name, rpc or a bound Worker's name, or system; null before v1.2"),
});

export const StockTotalsSchema = z.object({
  sku: z.string(),
  on_hand: Int,
  reserved: Int,
  committed: Int,
  available: Int,
  version: Int.describe("seq of the last move; 0 before the first"),
  updated_at: Instant.nullable(),
});

const LocationStockSchema = z.object({ location: z.string(), on_hand: Int, reserved: Int, committed: Int, available: Int });

export const StockSchema = StockTotalsSchema.extend({
  locations: z.array(LocationStockSchema).describe("(v1.2) every location the SKU ever had a move at, by id"),
  incoming: Int.describe("(v1.2) units on their way: open incoming not yet received"),
  available_to_promise: Int.describe("(v1.2) what a new reservation could take now, backorders and preorders included"),
});

export const SettingsSchema = z.object({
  sku: z.string(),
  low_stock_threshold: Int.nullable(),
  backorder_limit: Int.describe("(v1.2) units reservations may take beyond the shelf"),
  preorder: z.boolean().describe("(v1.2) whether reservations may also take incoming units"),
  updated_at: Instant.nullable().describe("null while the SKU was never configured"),
});

export const LocationSchema = z.object({
  id: z.string(),
  name: z.string(),
  priority: Int.describe("0–1000; lower is allocated first"),
  active: z.boolean(),
  created_at: Instant.nullable().describe("null for `default` while it was never written"),
  updated_at: Instant.nullable(),
});
export const LocationListSchema = z.object({ items: z.array(LocationSchema) });

export const TokenSchema = z.object({
  name: z.string().describe("recorded as the actor of every move made with this token"),
  scope: z.enum(["read", "write", "admin"]),
  sku_prefix: z.string().nullable().describe("a seller's token: only SKUs starting with this"),
});

export const IncomingSchema = z.object({
  id: z.string(),
  sku: z.string(),
  location: z.string(),
  quantity: Int.describe("units declared"),
  received: Int.describe("units received against it; may pass quantity"),
  expected_at: Instant,
  status: z.enum(["open", "received", "cancelled"]),
  created_at: Instant,
  updated_at: Instant,
});
export const IncomingListSchema = z.object({ items: z.array(IncomingSchema) });

export const MoveWithStockSchema = z.object({ move: MoveSchema, stock: StockSchema });
export const MovesPageSchema = z.object({ moves: z.array(MoveSchema), next_after_seq: Int.nullable() });

/** (v1.2) A bundle's components: units of each SKU per unit of the bundle. */
const ComponentsSchema = z.array(z.object({ sku: z.string(), quantity: Int }));

export const BundleSchema = z.object({
  sku: z.string(),
  components: ComponentsSchema,
  created_at: Instant,
  updated_at: Instant,
});

/** (v1.2) A bundle where a SKU's stock would be: what its components' available make. */
export const BundleStockSchema = z.object({
  sku: z.string(),
  bundle: z.literal(true),
  components: ComponentsSchema,
  available: Int.describe("the least over its components of floor(available ÷ quantity)"),
});

export const ProductSchema = z.union([StockSchema, BundleStockSchema]);

export const ReservationSchema = z.object({
  id: z.string(),
  holder: z.string(),
  status: z.enum(["active", "committed", "released", "expired"]),
  lines: z.array(
    z.object({
      sku: z.string(),
      quantity: Int,
      location: z.string().optional().describe("(v1.2) the location the line named"),
      allocations: z.array(z.object({ location: z.string(), quantity: Int })).describe("(v1.2) where its units are held; [] on a bundle line"),
      components: z
        .array(z.object({ sku: z.string(), quantity: Int, allocations: z.array(z.object({ location: z.string(), quantity: Int })) }))
        .optional()
        .describe("(v1.2) a bundle line: its components per unit, as made, and where each is held"),
    }),
  ),
  expires_at: Instant,
  order_id: z.string().nullable(),
  created_at: Instant,
  updated_at: Instant,
});

export const OrderSchema = z.object({
  order_id: z.string(),
  reservation_id: z.string(),
  lines: z.array(
    z.object({
      sku: z.string(),
      committed: Int,
      fulfilled: Int,
      cancelled: Int,
      returned: Int,
      allocations: z
        .array(z.object({ location: z.string(), committed: Int, fulfilled: Int, cancelled: Int, returned: Int }))
        .describe("(v1.2) the same by location, in allocation order; [] on a bundle line"),
      components: ComponentsSchema.optional().describe("(v1.2) a bundle line: its components per unit, as the reservation made it"),
    }),
  ),
  created_at: Instant,
  updated_at: Instant,
});

export const StockPageSchema = z.object({
  items: z.array(
    z.union([
      StockTotalsSchema.extend({
        locations: z.array(LocationStockSchema).optional().describe("(v1.2) without `location`: every location, by id"),
        location: z.string().optional().describe("(v1.2) with `?location=`: the location of this row"),
      }),
      BundleStockSchema.describe("(v1.2) with `?sku=` naming a bundle"),
    ]),
  ),
  next_after_sku: z.string().nullable(),
});

export const FeedPageSchema = z.object({
  moves: z.array(MoveSchema.extend({ cursor: z.string().describe("opaque; pass as `after` to resume") })),
  next_after: z.string().nullable(),
});

export const DailyReportSchema = z.object({
  days: z.array(
    z.object({
      day: z.string(),
      sku: z.string(),
      received: Int,
      adjusted: Int,
      reserved: Int,
      released: Int,
      committed: Int,
      cancelled: Int,
      fulfilled: Int,
      returned: Int,
      transferred: Int.describe("(v1.2) units moved between locations; totals unchanged"),
      expected: Int.describe("(v1.2) units declared incoming"),
      expected_cancelled: Int.describe("(v1.2) incoming units cancelled"),
      on_hand_end: Int,
    }),
  ),
  next_after: z.string().nullable().describe("opaque; pass as `after` for the next page, null after the last"),
});

export const CountResultSchema = z.object({
  move: MoveSchema.nullable().describe("null when the count equalled on_hand"),
  stock: StockSchema,
});

const ApiErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const CountsResultSchema = z.object({
  results: z.array(
    z.union([
      z.object({ sku: z.string(), ok: z.literal(true), move: MoveSchema.nullable(), stock: StockSchema }),
      z.object({ sku: z.string(), ok: z.literal(false), error: ApiErrorSchema }),
    ]),
  ),
});

export const ReservationPageSchema = z.object({
  items: z.array(ReservationSchema),
  next_after: z.string().nullable().describe("opaque; pass as `after` for the next page, null after the last"),
});

export const OrderPageSchema = z.object({
  items: z.array(OrderSchema),
  next_after: z.string().nullable().describe("opaque; pass as `after` for the next page, null after the last"),
});

export const ResetProgressSchema = z.object({ deleted: Int, done: z.boolean() });
export const RebuildProgressSchema = z.object({ skus: Int, moves: Int, next_after_sku: z.string().nullable() });

export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()).describe(`of ${STOCK_EVENT_TYPES.join(", ")}`),
  description: z.string().nullable(),
  created_at: Instant,
});

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().describe("whsec_…: verifies the signatures; shown only in this answer"),
});

export const WebhookPageSchema = z.object({
  items: z.array(WebhookSchema),
  next_after: z.string().nullable().describe("pass as `after` for the next page, null after the last"),
});

export const DeliverySchema = z.object({
  event_id: z.string(),
  type: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: Int,
  last_status_code: Int.nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: Instant.nullable(),
  delivered_at: Instant.nullable(),
});

export const DeliveriesPageSchema = z.object({
  items: z.array(DeliverySchema),
  next_after: z.string().nullable().describe("opaque; pass as `after` for the next page, null after the last"),
});

export const PingSchema = z.object({ event_id: z.string().describe("the ping's webhook-id") });

export const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]).describe("degraded while D1 does not answer or an outbox is behind"),
  checked_at: Instant,
  d1: z.object({ answers: z.boolean(), latency_ms: Int, error: z.string().nullable() }),
  projection: z.object({
    newest_move_at: Instant.nullable().describe("when the newest move D1 holds was recorded"),
    newest_move_projected_at: Instant.nullable(),
    newest_move_age_seconds: Int.nullable(),
  }),
  lagging: z.object({
    total: Int.describe("outboxes behind for over 30 s"),
    outboxes: z.array(
      z.object({
        sku: z.string(),
        outbox: z.enum(["projection", "events"]),
        behind_since: Instant,
        behind_seconds: Int,
        pending_moves: Int,
      }),
    ),
  }),
  webhooks: z
    .array(z.object({ id: z.string(), url: z.string(), pending: Int, failed: Int }))
    .nullable()
    .describe("null while D1, which lists the webhooks, does not answer"),
});

export const ErrorResponseSchema = z.object({ error: ApiErrorSchema });
