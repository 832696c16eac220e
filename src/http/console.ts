/**
 * The operator console at /console/: static files from Workers static assets (public/console), sent with a
 * strict Content-Security-Policy. The page needs no token to load; it asks for one and calls the API with
 * it. No inline script or style is allowed, nothing is loaded from elsewhere, and the page cannot be framed.
 */
import type { Env } from "../env";
import { errorOf } from "./respond";

export const CONSOLE_PREFIX = "/console/";

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export function isConsolePath(path: string): boolean {
  return path === "/console" || path.startsWith(CONSOLE_PREFIX);
}

export async function serveConsole(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return errorOf("method_not_allowed", `${request.method} is not allowed here`, { allow: "GET" });
  }
  const url = new URL(request.url);
  if (url.pathname === "/console") return Response.redirect(new URL(CONSOLE_PREFIX, url).toString(), 308);
  const asset = await env.ASSETS.fetch(request);
  if (asset.status === 404) return errorOf("not_found", "no such page");
  const response = new Response(asset.body, asset);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}
