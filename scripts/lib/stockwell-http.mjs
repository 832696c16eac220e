// Calls to a running stockwell from the operator scripts: retried while it may answer later (a 5xx, a
// refused connection), stopped on an answer that will not change (a 4xx).
const RETRIES = 6;

export async function request(api, method, path, { body, idempotencyKey, what = path } = {}) {
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await fetch(`${api.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${api.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (attempt >= RETRIES) throw new Error(`${what}: could not reach stockwell at ${api.url} (${err.cause?.code ?? err.message})`);
      await pause(attempt);
      continue;
    }
    const json = await res.json().catch(() => ({}));
    if (res.ok) return json;
    const said = `${what}: stockwell answered ${res.status} ${json.error?.code ?? ""} ${json.error?.message ?? ""}`.trim();
    if (res.status < 500 || attempt >= RETRIES) throw new Error(said);
    await pause(attempt);
  }
}

const pause = (attempt) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 250 * 2 ** attempt)));

/** Stock list items (the read model) of these SKUs, 100 per call, a few calls at a time. */
export async function currentStock(api, skus, parallel = 8) {
  const stock = new Map();
  const pages = [];
  for (let i = 0; i < skus.length; i += 100) pages.push(skus.slice(i, i + 100));
  const worker = async () => {
    for (let page = pages.shift(); page; page = pages.shift()) {
      const answer = await request(api, "GET", `/v1/stock?limit=100&sku=${page.map(encodeURIComponent).join(",")}`);
      for (const item of answer.items) stock.set(item.sku, item);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return stock;
}
