/**
 * Webhook secrets and signatures (Standard Webhooks). A secret is never stored: it is derived from a signing
 * key (a Worker secret) and the webhook's id and random nonce (HMAC-SHA256), so a leak of the objects'
 * storage, of D1 or of a backup hands out no secret; only a key and the storage together do.
 *
 * Rotation: `WEBHOOK_SIGNING_KEY` is the key new webhooks are made with; `WEBHOOK_SIGNING_KEYS_PREVIOUS`
 * (comma-separated) keeps older keys working. Each webhook records the id of the key it was made with and
 * keeps signing with that key (its receiver's secret never changes under it) until the key is retired; a
 * webhook whose key is no longer configured stops delivering and says so in `last_error`.
 */
import { Webhook } from "standardwebhooks";
import { sha256Hex } from "../shared/digest";

const encoder = new TextEncoder();

/** `whsec_` + base64 of 32 bytes, as Standard Webhooks libraries expect. */
export async function deriveSecret(signingKey: string, webhookId: string, nonce: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(signingKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`webhook-secret:${webhookId}:${nonce}`)));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A key's public name: the first 16 hex digits of its SHA-256. Says nothing usable about the key. */
export const keyIdOf = async (signingKey: string): Promise<string> => (await sha256Hex(`webhook-signing-key:${signingKey}`)).slice(0, 16);

export interface SigningKeys {
  /** The key new webhooks are made with; null when webhooks are not configured. */
  current: string | null;
  /** Every configured key (current first), by id. */
  byId: Map<string, string>;
}

/** The configured keys, from the Worker's secrets. */
export async function signingKeys(current: string | undefined, previous: string | undefined): Promise<SigningKeys> {
  const keys = [current, ...(previous ?? "").split(",")].map((k) => k?.trim() ?? "").filter((k) => k.length > 0);
  const byId = new Map<string, string>();
  for (const key of keys) byId.set(await keyIdOf(key), key);
  return { current: current?.trim() || null, byId };
}

/**
 * The three headers of one delivery attempt, signed at `sentAt` (wall-clock: receivers check it is recent).
 * Several secrets give several space-separated signatures, any of which a receiver accepts.
 */
export function signedHeaders(secrets: readonly string[], eventId: string, sentAt: Date, body: string): Record<string, string> {
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(eventId, sentAt, body)).join(" "),
  };
}
