/**
 * Bearer tokens against the `API_TOKENS` configuration (tokens.ts). Tokens are compared as SHA-256 digests
 * with `timingSafeEqual`, against every configured token, so timing says nothing about them.
 */
import { parseTokenConfig, type Principal, type TokenConfig } from "./tokens";
import { logEvent } from "../../durable-objects/shared/log";

interface TokenEntry {
  principal: Principal;
  digest: ArrayBuffer;
}

/** What the configuration lets this request be: a caller, nobody (401), or nothing until it is fixed (503). */
export type Authentication = { kind: "caller"; principal: Principal } | { kind: "unknown" } | { kind: "misconfigured" };

type Loaded = { ok: true; entries: TokenEntry[] } | { ok: false };

/** By source: an isolate normally sees one configuration, and a fixed one replaces it. */
const parsed = new Map<string, TokenConfig>();
const digested = new Map<string, Promise<Loaded>>();
const KEPT_CONFIGURATIONS = 4;

function remember<V>(cache: Map<string, V>, source: string, value: V): V {
  if (cache.size >= KEPT_CONFIGURATIONS) cache.clear();
  cache.set(source, value);
  return value;
}

const sha256 = (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));

/** The configuration read once per isolate and source; a bad one is logged then, loudly. */
function configOf(source: string): TokenConfig {
  const known = parsed.get(source);
  if (known) return known;
  const config = parseTokenConfig(source);
  // The problems name entries by position, never by token.
  if (!config.ok) {
    logEvent("error", "api_tokens_invalid", { message: "API_TOKENS is invalid, so every request answers 503 until it is fixed", problems: config.problems });
  }
  return remember(parsed, source, config);
}

async function load(source: string): Promise<Loaded> {
  const config = configOf(source);
  if (!config.ok) return { ok: false };
  const entries = await Promise.all(
    config.tokens.map(async ({ token, ...principal }) => ({ principal, digest: await sha256(token) })),
  );
  return { ok: true, entries };
}

function loaded(source: string): Promise<Loaded> {
  return digested.get(source) ?? remember(digested, source, load(source));
}

/**
 * Whether the configuration can be used (none at all can: it lets nobody in). The Worker asks when it starts,
 * so a bad one is in the log at once, and before every request, which it then refuses.
 */
export function tokenConfigIsValid(apiTokens: string | undefined): boolean {
  return !apiTokens || configOf(apiTokens).ok;
}

/** Who the request's bearer token says the caller is. */
export async function authenticate(authorization: string | null, apiTokens: string | undefined): Promise<Authentication> {
  if (!apiTokens) return { kind: "unknown" };
  const config = await loaded(apiTokens);
  if (!config.ok) return { kind: "misconfigured" };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return { kind: "unknown" };
  const digest = await sha256(match[1]!);
  let found: Principal | null = null;
  // Every entry is compared, whichever matches: tokens are distinct, so at most one does.
  for (const entry of config.entries) {
    if (crypto.subtle.timingSafeEqual(digest, entry.digest)) found = entry.principal;
  }
  return found ? { kind: "caller", principal: found } : { kind: "unknown" };
}
