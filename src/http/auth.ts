/**
 * Bearer tokens from the `API_TOKENS` secret (`scope:token,scope:token`). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured token, so timing says nothing about them.
 */
import { isScope, wider, type Scope } from "../scopes";

interface TokenEntry {
  scope: Scope;
  digest: ArrayBuffer;
}

let cached: { source: string; entries: Promise<TokenEntry[]> } | null = null;

const sha256 = (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));

function parseTokens(source: string): Promise<TokenEntry[]> {
  const pairs = source
    .split(",")
    .map((pair) => pair.trim())
    .filter(Boolean)
    .flatMap((pair) => {
      const colon = pair.indexOf(":");
      const scope = pair.slice(0, colon).trim();
      const token = pair.slice(colon + 1).trim();
      if (colon < 0 || !isScope(scope) || token.length === 0) {
        // The entry itself is never logged: it may hold a token.
        console.warn("API_TOKENS has an entry that is not `read:…`, `write:…` or `admin:…`; it is ignored");
        return [];
      }
      return [{ scope, token }];
    });
  return Promise.all(pairs.map(async ({ scope, token }) => ({ scope, digest: await sha256(token) })));
}

function tokenEntries(source: string): Promise<TokenEntry[]> {
  if (cached?.source !== source) cached = { source, entries: parseTokens(source) };
  return cached.entries;
}

/** The scope the request's bearer token grants, or null for a missing or unknown token. */
export async function authenticate(authorization: string | null, apiTokens: string | undefined): Promise<Scope | null> {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match || !apiTokens) return null;
  const digest = await sha256(match[1]!);
  let granted: Scope | null = null;
  for (const entry of await tokenEntries(apiTokens)) {
    if (crypto.subtle.timingSafeEqual(digest, entry.digest)) granted = granted ? wider(granted, entry.scope) : entry.scope;
  }
  return granted;
}
