import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * What a tracking link names (DESIGN.md §2 "/t/*"): the team, our message (its Email Log
 * row) and what was asked — an open, a click with the URL that was in the message, a
 * download of an attachment, or the hidden honeypot link. Signed, so that a click can only
 * ever redirect to the URL the message carried, and nobody can count for someone else.
 */
export const TrackingClaimSchema = z.discriminatedUnion("k", [
  z.object({ k: z.literal("o"), t: z.string().min(1), m: z.string().min(1) }),
  z.object({
    k: z.literal("c"),
    t: z.string().min(1),
    m: z.string().min(1),
    /** The link's place among the message's links (0-based). */
    i: z.number().int().min(0),
    u: z.url({ protocol: /^https?$/ }),
  }),
  z.object({
    k: z.literal("d"),
    t: z.string().min(1),
    m: z.string().min(1),
    a: z.string().min(1),
    /** 1 when the campaign tracked clicks at send time: the download is counted. */
    n: z.union([z.literal(0), z.literal(1)]),
  }),
  z.object({ k: z.literal("h"), t: z.string().min(1), m: z.string().min(1) }),
]);
export type TrackingClaim = z.infer<typeof TrackingClaimSchema>;

const MAC_CHARS = 22;

const b64url = (buf: Buffer) =>
  buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function mac(secret: string, body: string): string {
  return b64url(createHmac("sha256", secret).update(`track:${body}`).digest()).slice(0, MAC_CHARS);
}

/**
 * A URL-safe token for the claim: base64url(JSON) "." 22 characters of HMAC-SHA256 under
 * AUTH_SECRET (132 bits: unguessable). Synchronous, so composing an email stays pure.
 */
export function trackingToken(secret: string, claim: TrackingClaim): string {
  const body = b64url(Buffer.from(JSON.stringify(claim), "utf8"));
  return `${body}.${mac(secret, body)}`;
}

/** The claim a token carries, or null when it is forged, altered or malformed. */
export function verifyTrackingToken(secret: string, token: string): TrackingClaim | null {
  const dot = token.indexOf(".");
  if (dot <= 0 || token.length > 8_192) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const json = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const parsed = TrackingClaimSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
