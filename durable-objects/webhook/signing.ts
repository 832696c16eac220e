/**
 * Webhook secrets and signatures (Standard Webhooks). A secret is never stored: it is derived from the
 * Worker secret `WEBHOOK_SIGNING_KEY` and the webhook's id and random nonce (HMAC-SHA256), so a leak of
 * the objects' storage, of D1 or of a backup hands out no secret; only the key and the storage together do.
 */
import { Webhook } from "standardwebhooks";

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

/** The three headers of one delivery attempt, signed at `sentAt` (wall-clock: receivers check it is recent). */
export function signedHeaders(secret: string, eventId: string, sentAt: Date, body: string): Record<string, string> {
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(eventId, sentAt, body),
  };
}
