/**
 * How a SKU's outbox tells the catalog that it has fallen behind and that it has caught up, so that
 * `GET /v1/admin/health` lists the SKUs behind without asking every object. An outbox reports on its first
 * failed attempt (again after an eviction, which forgets the report: the catalog keeps the earliest time)
 * and when a success follows failures. A report that is lost is mended by health, which asks each listed
 * SKU's object what it still has to send.
 */
import type { ObjectBindings } from "../bindings";
import type { LaggingOutbox } from "../catalog/lagging";
import { catalogAt, describeError } from "../shared/calls";
import { clock } from "../shared/clock";
import { logEvent } from "../shared/log";

export class LagReport {
  private reported = false;

  constructor(
    private readonly env: ObjectBindings,
    private readonly outbox: LaggingOutbox,
  ) {}

  async behind(sku: string): Promise<void> {
    if (this.reported) return;
    try {
      await catalogAt(this.env).behind(sku, this.outbox, clock.now());
      this.reported = true;
    } catch (err) {
      logEvent("warn", "lag_report_failed", { sku, outbox: this.outbox, error: describeError(err) });
    }
  }

  async caughtUp(sku: string): Promise<void> {
    try {
      await catalogAt(this.env).caughtUp(sku, this.outbox);
      this.reported = false;
    } catch (err) {
      logEvent("warn", "lag_report_failed", { sku, outbox: this.outbox, error: describeError(err) });
    }
  }
}
