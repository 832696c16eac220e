/**
 * Request validation for every endpoint, shared by HTTP and RPC. Bodies are strict objects: unknown
 * fields are a 400. Query strings are validated the same way (a misspelt parameter is an error, not ignored).
 */
import { z } from "zod";
import { MAX_COMPONENTS } from "../durable-objects/domain/bundles";
import { STOCK_EVENT_TYPES } from "../durable-objects/domain/stock-events";

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const Sku = z.string().regex(SKU_PATTERN, `must match ${SKU_PATTERN.source}`).describe("a SKU");
export const EntityId = z.string().regex(ID_PATTERN, `must match ${ID_PATTERN.source}`);
const Quantity = z.number().int().min(1).max(1_000_000);
const Delta = z
  .number()
  .int()
  .min(-1_000_000)
  .max(1_000_000)
  .refine((d) => d !== 0, "must not be 0");
const Reason = z.string().min(1).max(64);
export const Ref = z.string().min(1).max(256);
export const IdempotencyKey = z.string().min(1).max(128);

/**
 * A non-negative integer written in a query string. `openapi` is what /openapi.json shows for it: the
 * integer a client sends, with its range and default (zod's own input schema would say "a string").
 */
export function queryInteger(min: number, max: number, description: string, fallback: number) {
  const integer = z
    .string()
    .regex(/^\d{1,16}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
  const openapi = { type: "integer", minimum: min, maximum: max, default: fallback };
  return integer.default(fallback).meta({ description, openapi });
}

export const Limit = queryInteger(1, 1000, "page size", 100);

/**
 * An ISO-8601 instant with a zone (`Z` or an offset), as milliseconds since the epoch. In UTC it must fall
 * in the years 0000–9999 (`9999-12-31T23:59-23:59` is in year 10000), where ISO strings sort as times.
 */
export const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .refine((ms) => {
    const year = new Date(ms).getUTCFullYear();
    return year >= 0 && year <= 9999;
  }, "must be between the years 0000 and 9999 in UTC");

export const SkuParams = z.strictObject({ sku: Sku });

// ---- locations (contract v1.2) ---------------------------------------------------------------------------

/** A location id follows the SKU pattern. */
export const LocationId = z.string().regex(SKU_PATTERN, `must match ${SKU_PATTERN.source}`).describe("a location id");
export const LocationParams = z.strictObject({ location: LocationId });
export const LocationBody = z.strictObject({
  name: z.string().min(1).max(128),
  priority: z.number().int().min(0).max(1000).default(100).describe("lower is allocated first"),
  active: z.boolean().default(true).describe("an inactive location keeps its stock but takes no new allocation"),
});
export const NoQuery = z.strictObject({});

export const SettingsBody = z
  .strictObject({
    low_stock_threshold: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .nullable()
      .optional()
      .describe("available at or below this is low; null: never low"),
    backorder_limit: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe("(v1.2) units reservations may take beyond the shelf; default 0"),
    preorder: z.boolean().optional().describe("(v1.2) reservations may also take incoming units; default false"),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    path: ["low_stock_threshold"],
    message: "name at least one setting; one left out keeps its value",
  });

/** (v1.2) Where a write acts; omitted: `default`. It must be in the registry (checked by the operation). */
const AtLocation = LocationId.optional().describe("(v1.2) a location from the registry; omitted: default");

export const ReceiveBody = z.strictObject({
  quantity: Quantity,
  reason: Reason.optional(),
  ref: Ref.optional(),
  location: AtLocation.describe("(v1.2) a location from the registry; omitted: the incoming's, or default"),
  incoming_id: EntityId.optional().describe("(v1.2) the incoming this receipt counts against"),
});

/** Lines name each SKU once. */
function distinctSkus(lines: ReadonlyArray<{ sku: string }>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (seen.has(line.sku)) ctx.addIssue({ code: "custom", path: [i, "sku"], message: "sku appears twice" });
    seen.add(line.sku);
  });
}

const Counted = z.number().int().min(0).max(1_000_000).describe("the on_hand counted");
const ExpectedVersion = z.number().int().min(0);

export const AdjustBody = z.strictObject({
  delta: Delta,
  reason: Reason,
  ref: Ref.optional(),
  expected_version: ExpectedVersion.optional(),
  location: AtLocation,
  allow_short: z.boolean().optional().describe("(v1.2) true: may take available below 0 (the SKU is then short)"),
});

export const CountBody = z.strictObject({
  on_hand: Counted,
  reason: Reason.optional().describe("defaults to `count`"),
  ref: Ref.optional(),
  expected_version: ExpectedVersion.optional(),
  location: AtLocation,
});

/** (v1.2) Units from one location to another. */
export const TransferBody = z
  .strictObject({
    from: LocationId,
    to: LocationId,
    quantity: Quantity,
    reason: Reason.optional(),
    ref: Ref.optional(),
    expected_version: ExpectedVersion.optional(),
  })
  .refine((t) => t.from !== t.to, { path: ["to"], message: "must differ from `from`" });

export const CountsBody = z.strictObject({
  lines: z
    .array(z.strictObject({ sku: Sku, on_hand: Counted, expected_version: ExpectedVersion.optional(), location: AtLocation }))
    .min(1)
    .max(1000)
    .superRefine(distinctSkus),
  reason: Reason.optional().describe("defaults to `count`"),
  ref: Ref.optional(),
});

export const Holder = z.string().min(1).max(128);

const Line = z
  .strictObject({
    sku: Sku,
    quantity: Quantity,
    location: LocationId.optional().describe(
      "(v1.2) hold, or fulfil, cancel or return, only at this location; omitted: allocated over the active locations",
    ),
    // A line read from GET carries where it is held; sent back as it is, that part is ignored.
    allocations: z
      .array(z.looseObject({}))
      .max(100)
      .optional()
      .describe("(v1.2) read-only: where a line is held, as GET shows it; ignored when sent"),
    components: z
      .array(z.looseObject({}))
      .max(MAX_COMPONENTS)
      .optional()
      .describe("(v1.2) read-only: a bundle line's components, as GET shows them; ignored when sent"),
  })
  .transform(({ allocations: _ignored, components: _shown, ...line }) => line);

/** 1–100 lines with distinct SKUs. */
export const Lines = z
  .array(Line)
  .min(1)
  .max(100)
  .superRefine(distinctSkus);

export const ReservationParams = z.strictObject({ id: EntityId });

/** (v1.2) A bundle: 1–20 distinct components, units of each per unit of the bundle. */
export const BundleBody = z.strictObject({
  components: z
    .array(z.strictObject({ sku: Sku, quantity: z.number().int().min(1).max(1_000) }))
    .min(1)
    .max(MAX_COMPONENTS)
    .superRefine(distinctSkus)
    .describe("the SKUs it is made of, none of them a bundle"),
});
export const OrderParams = z.strictObject({ order_id: EntityId });

const DEFAULT_TTL_SECONDS = 900;

export const PutReservationBody = z.strictObject({
  holder: Holder.describe("who holds it: a shopper, a cart or an offer's buyer"),
  lines: Lines,
  ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(604_800)
    .default(DEFAULT_TTL_SECONDS)
    .meta({ description: "seconds until it expires, from now", default: DEFAULT_TTL_SECONDS }),
});

export const CommitBody = z.strictObject({ order_id: EntityId });

/** fulfil and cancel: lines omitted means every outstanding unit. */
export const OrderLinesBody = z.strictObject({ lines: Lines.optional() });
export const ReturnBody = z.strictObject({ lines: Lines });

export const ProductQuery = z.strictObject({
  at: Instant.optional().describe("the stock as it was at this instant (all zeros before the first move)"),
});

export const ProductMovesQuery = z.strictObject({
  after_seq: queryInteger(0, Number.MAX_SAFE_INTEGER, "moves with a higher seq than this", 0),
  limit: Limit,
});

// ---- incoming (contract v1.2) -----------------------------------------------------------------------------

export const IncomingParams = z.strictObject({ sku: Sku, id: EntityId });
export const IncomingBody = z.strictObject({
  quantity: Quantity,
  expected_at: Instant.describe("when the units are expected"),
  location: AtLocation.describe("where they will arrive; omitted: default"),
});
export const IncomingListQuery = z.strictObject({
  status: z.enum(["open", "received", "cancelled"]).optional().describe("only incoming of this status"),
});

export const RebuildBody = z.strictObject({
  after_sku: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

export type ValidationIssue = {
  path: string;
  message: string;
};

/** zod issues as API.md's `details.issues`; each unknown field gets its own entry. */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "unknown field" }));
    }
    return [{ path: path.join("."), message: issue.message }];
  });
}

// ---- webhooks (contract v1.1) ---------------------------------------------------------------------------

export const WEBHOOK_ID_PATTERN = /^wh_[0-9a-f]{32}$/;
const WebhookId = z.string().regex(WEBHOOK_ID_PATTERN, "must be a webhook id (wh_ and 32 hex digits)");
export const WebhookParams = z.strictObject({ id: WebhookId });
/** An event's id, as its deliveries list it: `<sku>:<seq>:<type>`, or `ping:<uuid>`. */
const EventId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, "must be an event id from the deliveries list");
export const DeliveryParams = z.strictObject({ id: WebhookId, event_id: EventId });

/** https:// or http:// (which only local development allows: see webhooks.ts). */
const WebhookUrl = z
  .string()
  .max(2048)
  .refine((url) => URL.canParse(url) && ["https:", "http:"].includes(new URL(url).protocol), "must be an https:// URL")
  .describe("where events are POSTed: https://, or http://127.0.0.1 or localhost when ALLOW_INSECURE_WEBHOOKS=true");

export const CreateWebhookBody = z.strictObject({
  url: WebhookUrl,
  events: z
    .array(z.enum(STOCK_EVENT_TYPES))
    .min(1)
    .refine((types) => new Set(types).size === types.length, "must not repeat a type"),
  description: z.string().min(1).max(256).optional(),
});

export const WebhookListQuery = z.strictObject({
  after: WebhookId.optional().describe("resume after this webhook id (the page's next_after)"),
  limit: Limit,
});

export const DeliveryListQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,16}$/, "must be a cursor returned by this API")
    .transform(Number)
    .optional()
    .describe("resume after this cursor (the page's next_after)"),
  limit: Limit,
  status: z.enum(["pending", "delivered", "failed"]).optional(),
});
