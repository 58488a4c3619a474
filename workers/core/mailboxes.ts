import { z } from "zod";
import type { SendingHealth } from "./sending-domains";

const EMAIL_HINT = "Enter the mailbox's email address, such as jane@acme.com";

export const MailboxInputSchema = z.object({
  address: z
    .string({ error: EMAIL_HINT })
    .trim()
    .toLowerCase()
    .max(254, "An email address has at most 254 characters")
    .pipe(z.email({ error: EMAIL_HINT })),
  name: z
    .string({ error: "Enter the name recipients see, such as Jane Doe" })
    .trim()
    .min(1, "Enter the name recipients see, such as Jane Doe")
    .max(100, "At most 100 characters")
    // The name goes into the From header: a line break there could add headers.
    .refine((n) => !/[\r\n]/.test(n), "The name must be one line: remove the line break"),
  dailyCap: z
    .number({ error: "The daily cap must be a number" })
    .int("The daily cap must be a whole number")
    .positive("The daily cap must be at least 1")
    .max(1_000_000, "At most 1,000,000 a day")
    .nullish(),
});
export type MailboxInput = z.infer<typeof MailboxInputSchema>;

export type MailboxHealth = { canSend: boolean; capturesReplies: boolean; problem: string | null };

/** The part after the last "@", lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

const NO_INBOUND =
  "Replies are not captured: no inbound domain is configured (set INBOUND_DOMAIN and route it to Beacon with Email Routing).";

/** Whether a mailbox can send and capture replies, and why not in words. */
export function assessMailbox(
  sending: SendingHealth,
  inboundDomain: string | undefined,
): MailboxHealth {
  const capturesReplies = Boolean(inboundDomain);
  const problems = [sending.problem, capturesReplies ? null : NO_INBOUND].filter(
    (p): p is string => p !== null,
  );
  return {
    canSend: sending.canSend,
    capturesReplies,
    problem: problems.length > 0 ? problems.join(" ") : null,
  };
}

/** The address a user forwards their inbox to and BCCs, or null without an inbound domain. */
export function syncAddress(token: string, inboundDomain: string | undefined): string | null {
  return inboundDomain ? `sync+${token}@${inboundDomain}` : null;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** RFC 4648 base32, lower-case, unpadded. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * A sync token from 32 random bytes. Base32 rather than hex: `sync+` plus 64 hex digits
 * would make a 69-character local part, over SMTP's 64-octet limit (RFC 5321 §4.5.3.1.1),
 * which some mail hosts enforce; 52 base32 characters keep all 256 bits and fit, and
 * survive hosts that change the case of local parts.
 */
export function newSyncToken(random: (bytes: Uint8Array) => Uint8Array): string {
  return base32(random(new Uint8Array(32)));
}
