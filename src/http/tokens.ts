/**
 * The `API_TOKENS` secret, read once per isolate: either the v1.1 list `scope:token,scope:token` (each token
 * named after its scope) or (v1.2) a JSON array of `{name, scope, token, sku_prefix?}`. A configuration with
 * any bad entry is refused as a whole, never read in part: the service then answers 503 until it is fixed.
 * Problems name the entry by position, never by its token.
 */
import { z } from "zod";
import { isScope, type Scope } from "../scopes";
import { SKU_PATTERN } from "../schemas";
import { ACTOR_PATTERN, RESERVED_ACTORS } from "../../durable-objects/domain/actors";

/** Who a valid token says the caller is. */
export interface Principal {
  /** Recorded as the `actor` of every move the caller makes. */
  name: string;
  scope: Scope;
  /** (v1.2) A seller's token: only SKUs that start with this, on the routes sellers may call. */
  skuPrefix: string | null;
}

export interface ConfiguredToken extends Principal {
  token: string;
}

export type TokenConfig = { ok: true; tokens: ConfiguredToken[] } | { ok: false; problems: string[] };

/** What a bearer header can carry (`Bearer <token>`): visible characters, no spaces. */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,512}$/;

const NamedToken = z.strictObject({
  name: z.string().regex(ACTOR_PATTERN, "must be 1–64 of A–Z a–z 0–9 . _ : -"),
  scope: z.enum(["read", "write", "admin"]),
  token: z.string().regex(TOKEN_PATTERN, "must be 1–512 visible characters without spaces"),
  sku_prefix: z.string().regex(SKU_PATTERN, "must be a SKU's beginning: 1–64 of A–Z a–z 0–9 . _ : -, not starting with . _ : -").optional(),
});

function fromJson(source: string): ConfiguredToken[] | string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return ["API_TOKENS starts with [ but is not valid JSON"];
  }
  if (!Array.isArray(parsed)) return ["API_TOKENS must be a JSON array of {name, scope, token, sku_prefix?}"];
  const problems: string[] = [];
  const tokens: ConfiguredToken[] = [];
  parsed.forEach((entry, i) => {
    const checked = NamedToken.safeParse(entry);
    if (!checked.success) {
      // Field names and rules only: a message never quotes what the entry holds.
      const fields = checked.error.issues.map((issue) => `${issue.path.join(".") || "entry"} ${issue.message}`);
      problems.push(`API_TOKENS entry ${i}: ${fields.join("; ")}`);
      return;
    }
    const { name, scope, token, sku_prefix } = checked.data;
    tokens.push({ name, scope, token, skuPrefix: sku_prefix ?? null });
  });
  return problems.length > 0 ? problems : tokens;
}

function fromList(source: string): ConfiguredToken[] | string[] {
  const problems: string[] = [];
  const tokens: ConfiguredToken[] = [];
  source
    .split(",")
    .map((pair) => pair.trim())
    .forEach((pair, i) => {
      if (pair === "") return;
      const colon = pair.indexOf(":");
      const scope = pair.slice(0, colon).trim();
      const token = pair.slice(colon + 1).trim();
      if (colon < 0 || !isScope(scope) || !TOKEN_PATTERN.test(token)) {
        problems.push(`API_TOKENS entry ${i}: not \`read:…\`, \`write:…\` or \`admin:…\` followed by a token without spaces`);
        return;
      }
      tokens.push({ name: scope, scope, token, skuPrefix: null });
    });
  return problems.length > 0 ? problems : tokens;
}

/** Reads the whole configuration, or says everything wrong with it. */
export function parseTokenConfig(source: string): TokenConfig {
  const trimmed = source.trim();
  const read = trimmed.startsWith("[") ? fromJson(trimmed) : fromList(trimmed);
  if (read.length > 0 && typeof read[0] === "string") return { ok: false, problems: read as string[] };
  const tokens = read as ConfiguredToken[];
  const problems: string[] = [];
  const seenTokens = new Map<string, number>();
  const seenNames = new Map<string, number>();
  tokens.forEach((t, i) => {
    const sameToken = seenTokens.get(t.token);
    if (sameToken !== undefined) problems.push(`API_TOKENS entries ${sameToken} and ${i} have the same token`);
    seenTokens.set(t.token, i);
    // The v1.1 list names tokens after their scope, so two tokens of one scope share a name there.
    if (!trimmed.startsWith("[")) return;
    const sameName = seenNames.get(t.name);
    if (sameName !== undefined) problems.push(`API_TOKENS entries ${sameName} and ${i} have the same name ${t.name}`);
    seenNames.set(t.name, i);
    if (RESERVED_ACTORS.includes(t.name)) problems.push(`API_TOKENS entry ${i}: the name ${t.name} is the service's own`);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tokens };
}
