import { z } from "zod";

/** What an inbound message is, as far as a campaign is concerned. */
export const MAIL_KINDS = ["reply", "auto_reply", "bounce", "complaint", "other"] as const;
export const MailKindSchema = z.enum(MAIL_KINDS);
export type MailKind = z.infer<typeof MailKindSchema>;

/**
 * Why a message bounced, in sisimai's vocabulary (libsisimai-perl 4.25, the reference the
 * corpus was labelled with), so that our answers compare one to one with it.
 */
export const BOUNCE_REASONS = [
  "blocked",
  "contenterror",
  "exceedlimit",
  "expired",
  "filtered",
  "hasmoved",
  "hostunknown",
  "mailboxfull",
  "mailererror",
  "mesgtoobig",
  "networkerror",
  "norelaying",
  "notaccept",
  "onhold",
  "policyviolation",
  "rejected",
  "securityerror",
  "spamdetected",
  "suspend",
  "syntaxerror",
  "systemerror",
  "systemfull",
  "toomanyconn",
  "undefined",
  "userunknown",
  "virusdetected",
] as const;
export const BounceReasonSchema = z.enum(BOUNCE_REASONS);
export type BounceReason = z.infer<typeof BounceReasonSchema>;

export const BounceSchema = z.object({
  /** hard: the address will never work (it is gone, or its domain is); soft: anything else. */
  class: z.enum(["hard", "soft"]),
  reason: BounceReasonSchema,
  /** The address that failed, lower-cased. */
  recipient: z.string().nullable(),
  /** SMTP enhanced status code (RFC 3463), e.g. "5.1.1". */
  status: z.string().nullable(),
  /** The receiving server's words, e.g. "550 5.1.1 <a@b.example>: user unknown". */
  diagnostic: z.string().nullable(),
  /** A delay warning: the sending MTA is still retrying, nothing has failed yet. */
  delayed: z.boolean(),
});
export type Bounce = z.infer<typeof BounceSchema>;

export const OriginalSchema = z.object({
  messageId: z.string().nullable(),
  references: z.array(z.string()),
  to: z.string().nullable(),
});
export type Original = z.infer<typeof OriginalSchema>;

export const VerdictSchema = z.object({
  kind: MailKindSchema,
  /** For bounces. */
  bounce: BounceSchema.nullable(),
  /** For auto-replies: true when it is an out-of-office (vs other automatic mail). */
  outOfOffice: z.boolean(),
  /** Headers of this message, parsed. Message ids are kept without angle brackets. */
  messageId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  from: z.string().nullable(),
  to: z.array(z.string()),
  subject: z.string(),
  date: z.string().nullable(),
  /** For DSN/ARF: the original message's ids, when the report carries its headers. */
  original: OriginalSchema.nullable(),
  /** The plain text body (for replies and out-of-office date parsing), decoded. */
  text: z.string(),
  /** Why the message could not be read (its kind is then `other`), else null. */
  problem: z.string().nullable(),
});
export type Verdict = z.infer<typeof VerdictSchema>;
