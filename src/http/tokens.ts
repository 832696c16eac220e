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

/** What a reader made of the configuration: each token with its entry's position, and what was wrong. */
interface Read {
  tokens: Array<ConfiguredToken & { entry: number }>;
  problems: string[];
}

function fromJson(source: string): Read {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return { tokens: [], problems: ["API_TOKENS starts with [ but is not valid JSON"] };
  }
  if (!Array.isArray(parsed)) return { tokens: [], problems: ["API_TOKENS must be a JSON array of {name, scope, token, sku_prefix?}"] };
  const read: Read = { tokens: [], problems: [] };
  parsed.forEach((value, entry) => {
    const checked = NamedToken.safeParse(value);
    if (!checked.success) {
      // Field names and rules only: a message never quotes what the entry holds.
      const fields = checked.error.issues.map((issue) => `${issue.path.join(".") || "entry"} ${issue.message}`);
      read.problems.push(`API_TOKENS entry ${entry}: ${fields.join("; ")}`);
      return;
    }
    const { name, scope, token, sku_prefix } = checked.data;
    read.tokens.push({ name, scope, token, skuPrefix: sku_prefix ?? null, entry });
  });
  return read;
}

function fromList(source: string): Read {
  const read: Read = { tokens: [], problems: [] };
  source
    .split(",")
    .map((pair) => pair.trim())
    .forEach((pair, entry) => {
      if (pair === "") return;
      const colon = pair.indexOf(":");
      const scope = pair.slice(0, colon).trim();
      const token = pair.slice(colon + 1).trim();
      if (colon < 0 || !isScope(scope) || !TOKEN_PATTERN.test(token)) {
        read.problems.push(`API_TOKENS entry ${entry}: not \`read:…\`, \`write:…\` or \`admin:…\` followed by a token without spaces`);
        return;
      }
      read.tokens.push({ name: scope, scope, token, skuPrefix: null, entry });
    });
  return read;
}

/** Reads the whole configuration, or says everything wrong with it. */
export function parseTokenConfig(source: string): TokenConfig {
  const trimmed = source.trim();
  const named = trimmed.startsWith("[");
  const { tokens, problems } = named ? fromJson(trimmed) : fromList(trimmed);
  if (problems.length > 0) return { ok: false, problems };
  const seenTokens = new Map<string, number>();
  const seenNames = new Map<string, number>();
  for (const { entry, token, name } of tokens) {
    const sameToken = seenTokens.get(token);
    if (sameToken !== undefined) problems.push(`API_TOKENS entries ${sameToken} and ${entry} have the same token`);
    seenTokens.set(token, entry);
    // The v1.1 list names tokens after their scope, so two tokens of one scope share a name there.
    if (!named) continue;
    const sameName = seenNames.get(name);
    if (sameName !== undefined) problems.push(`API_TOKENS entries ${sameName} and ${entry} have the same name ${name}`);
    seenNames.set(name, entry);
    if (RESERVED_ACTORS.includes(name)) problems.push(`API_TOKENS entry ${entry}: the name ${name} is the service's own`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, tokens: tokens.map(({ entry: _entry, ...t }) => t) };
}
