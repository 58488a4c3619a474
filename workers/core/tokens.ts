import { z } from "zod";

const enc = new TextEncoder();

async function hmac(secret: string, data: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string | null {
  try {
    const b = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder().decode(Uint8Array.from(b, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** Compares without an early exit, so a forged token learns nothing from timing. */
function same(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const MAC_HEX = 16;

/**
 * The reply token of an outgoing message: its id (32 hex) and a MAC (16 hex), all lower
 * case — it lives in an address's local part (`reply+<token>@…`, ≤ 64 characters), which
 * mail systems may lower-case. The message id names team, campaign, prospect and stage.
 */
export async function replyToken(secret: string, messageId: string): Promise<string> {
  const id = messageId.replace(/-/g, "").toLowerCase();
  const mac = hex(await hmac(secret, `reply:${id}`)).slice(0, MAC_HEX);
  return `${id}${mac}`;
}

/** The message id (with dashes) a reply token names, or null when forged or malformed. */
export async function verifyReplyToken(secret: string, token: string): Promise<string | null> {
  const t = token.toLowerCase();
  if (!/^[0-9a-f]{48}$/.test(t)) return null;
  const id = t.slice(0, 32);
  const expected = (await replyToken(secret, id)).slice(32);
  if (!same(t.slice(32), expected)) return null;
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}

export const UnsubscribeClaimSchema = z.object({
  /** team */
  t: z.string().min(1),
  /** person */
  p: z.string().min(1),
  /** campaign the mail came from */
  c: z.string().min(1),
  /** the address the mail went to */
  e: z.string().min(1),
});
export type UnsubscribeClaim = z.infer<typeof UnsubscribeClaimSchema>;

/** A signed, URL-safe unsubscribe token naming team, person, campaign and address. */
export async function unsubscribeToken(secret: string, claim: UnsubscribeClaim): Promise<string> {
  const body = base64url(enc.encode(JSON.stringify(claim)));
  const mac = base64url(await hmac(secret, `unsub:${body}`)).slice(0, 22);
  return `${body}.${mac}`;
}

/** The claim of a genuine unsubscribe token, or null (forged, altered or malformed). */
export async function verifyUnsubscribeToken(
  secret: string,
  token: string,
): Promise<UnsubscribeClaim | null> {
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) return null;
  const expected = base64url(await hmac(secret, `unsub:${body}`)).slice(0, 22);
  if (!same(mac, expected)) return null;
  const json = fromBase64url(body);
  if (json === null) return null;
  try {
    const parsed = UnsubscribeClaimSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
