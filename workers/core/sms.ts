/**
 * Pure rules of sending SMS at most once through a provider without idempotency keys
 * (Twilio): the number format it needs, and how a message whose send had an unknown
 * outcome is recognised in the provider's message list.
 */

/** Twilio's error codes that refuse one recipient for good. */
export const TWILIO_STOP_CODE = 21610;
export const TWILIO_INVALID_TO_CODES = [21211, 21614] as const;

/**
 * How far before our first try a provider message may be dated and still be ours: the
 * provider's clock and ours disagree a little, and it dates messages to the second.
 */
export const LOOKUP_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * How long after a call with an unknown outcome the provider's list is asked: a message
 * just created may take a moment to show up there, and asking too early would resend it.
 */
export const LOOKUP_SETTLE_MS = 2 * 60_000;

export type E164 = { ok: true; number: string } | { ok: false; message: string };

/**
 * A profile's phone number in the international form SMS providers take (+ country code,
 * digits only). "00" counts as "+"; a number without a country code cannot be used, since
 * the provider would guess the country and its message list would not show our number.
 */
export function toE164(raw: string): E164 {
  const trimmed = raw.trim();
  if (/(x|ext\.?)\s*\d+$/i.test(trimmed)) {
    return {
      ok: false,
      message: `${trimmed} has an extension; a text message needs a mobile number`,
    };
  }
  const digits = trimmed.replace(/\D/g, "");
  const international = trimmed.startsWith("+")
    ? digits
    : trimmed.startsWith("00")
      ? digits.slice(2)
      : null;
  if (international === null) {
    return {
      ok: false,
      message: `${trimmed} has no country code; write it as +<country code> <number>, such as +1 555 010 2030`,
    };
  }
  if (!/^[1-9]\d{6,14}$/.test(international)) {
    return { ok: false, message: `${trimmed} is not a valid international phone number` };
  }
  return { ok: true, number: `+${international}` };
}

/** One message of the provider's list, reduced to what recognising ours needs. */
export type ListedSms = {
  sid: string;
  body: string;
  /** When the provider created it (ms), or null when it gave no readable date. */
  createdAt: number | null;
  direction: string;
};

/**
 * Our message among the provider's list (already filtered to our sender and the
 * recipient): an outbound message with our exact body (a trial account prefixes its
 * notice), created no earlier than our first try less the clock skew, whose sid no other
 * message of ours already claims. Returns its sid, or null when it is not there.
 */
export function findOurSms(
  listed: ListedSms[],
  want: { body: string; firstTryAt: number; claimed: ReadonlySet<string> },
): string | null {
  const notBefore = want.firstTryAt - LOOKUP_CLOCK_SKEW_MS;
  const match = listed.find(
    (m) =>
      m.direction.startsWith("outbound") &&
      !want.claimed.has(m.sid) &&
      (m.body === want.body || m.body.endsWith(` - ${want.body}`)) &&
      (m.createdAt === null || m.createdAt >= notBefore),
  );
  return match?.sid ?? null;
}

/** When an unknown outcome may be looked up: never before the provider's list settles. */
export function lookupAt(lastCallAt: number): number {
  return lastCallAt + LOOKUP_SETTLE_MS;
}
