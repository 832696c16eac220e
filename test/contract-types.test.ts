// Compile-time proof that the schemas in /openapi.json describe exactly what the code returns, plus a
// runtime check on real responses.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Move, MovesPage, MoveWithStock, Order, Reservation, Stock } from "../durable-objects/domain/contract";
import type { Location } from "../durable-objects/domain/locations";
import type { FeedPage } from "../src/read-model/feed";
import type { StockPage } from "../src/read-model/queries";
import type { DailyReportPage } from "../src/read-model/reports";
import type { RebuildProgress, ResetProgress } from "../src/read-model/maintenance";
import * as schemas from "../src/response-schemas";
import { api, receive, uniqueSku } from "./helpers";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<Schema extends z.ZodType, T> = Equal<z.infer<Schema>, T>;

const proofs: [
  Same<typeof schemas.MoveSchema, Move>,
  Same<typeof schemas.StockSchema, Stock>,
  Same<typeof schemas.MoveWithStockSchema, MoveWithStock>,
  Same<typeof schemas.MovesPageSchema, MovesPage>,
  Same<typeof schemas.ReservationSchema, Reservation>,
  Same<typeof schemas.OrderSchema, Order>,
  Same<typeof schemas.StockPageSchema, StockPage>,
  Same<typeof schemas.FeedPageSchema, FeedPage>,
  Same<typeof schemas.DailyReportSchema, DailyReportPage>,
  Same<typeof schemas.ResetProgressSchema, ResetProgress>,
  Same<typeof schemas.RebuildProgressSchema, RebuildProgress>,
  Same<typeof schemas.LocationSchema, Location>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];

describe("response schemas", () => {
  it("match the code's types (checked by tsc) and real responses", async () => {
    expect(proofs.every(Boolean)).toBe(true);
    const sku = uniqueSku("SCHEMA");
    const received = await receive(sku, 2);
    expect(schemas.MoveWithStockSchema.strict().safeParse(received).success).toBe(true);
    const error = await api("GET", `/v1/products/${uniqueSku("NONE")}`);
    expect(schemas.ErrorResponseSchema.safeParse(error.body).success).toBe(true);
  });
});
