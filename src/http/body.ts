/** Reads a JSON request body, refusing more than 64 KiB without buffering past the limit. */
import { fail, succeed, type Outcome } from "../../durable-objects/domain/contract";

const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => fail("payload_too_large", `request body is over ${MAX_BODY_BYTES} bytes`);

/** The parsed body, or `undefined` for an empty one. */
export async function readJsonBody(request: Request): Promise<Outcome<unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    await request.body?.cancel();
    return tooLarge();
  }
  if (!request.body) return succeed(undefined);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return succeed(undefined);
  try {
    return succeed(JSON.parse(text));
  } catch {
    return fail("invalid_request", "request body is not valid JSON", {
      issues: [{ path: "", message: "not valid JSON" }],
    });
  }
}
