import type { EmailStatus, Reason } from "../engine/statuses";
import type { MailKind, Verdict } from "./types";

/**
 * A verdict of `kind` on no message in particular (no ids, sender, subject or text), with
 * `fields` set: what a provider's event is judged as, or a message that could not be read.
 */
export function blankVerdict(kind: MailKind, fields: Partial<Verdict> = {}): Verdict {
  return {
    kind,
    bounce: null,
    outOfOffice: false,
    messageId: null,
    inReplyTo: null,
    references: [],
    from: null,
    to: [],
    subject: "",
    date: null,
    original: null,
    text: "",
    problem: null,
    ...fields,
  };
}

/** What an inbound message (or a provider's event) does to the prospect and the Email Log. */
export type Outcome = {
  /** The prospect's new reason (its status follows from statusOfReason), or null: no change. */
  prospect: { reason: Reason } | null;
  /** The Email Log row's new status, or null: no change. */
  emailLog: Extract<EmailStatus, "bounced" | "spam" | "not_delivered"> | null;
  /** Never email this address again (hard bounce, complaint). */
  suppress: boolean;
  /** A person answered: the message counts as a reply. */
  replied: boolean;
};

const NOTHING: Outcome = { prospect: null, emailLog: null, suppress: false, replied: false };

/**
 * The one mapping from a verdict to what happens (DESIGN.md §1): a reply → Replied; an
 * out-of-office → Paused until the return date; a hard bounce → Bounced and suppressed; a
 * refusal as spam → Spam; a complaint → Spam and suppressed; any other failure → Not
 * Delivered. Other automatic mail, a delay warning and anything else change nothing.
 */
export function outcomeOf(verdict: Verdict): Outcome {
  switch (verdict.kind) {
    case "reply":
      return { ...NOTHING, prospect: { reason: "replied_email" }, replied: true };
    case "auto_reply":
      return verdict.outOfOffice ? { ...NOTHING, prospect: { reason: "out_of_office" } } : NOTHING;
    case "complaint":
      return {
        prospect: { reason: "complaint" },
        emailLog: "spam",
        suppress: true,
        replied: false,
      };
    case "bounce": {
      const bounce = verdict.bounce;
      if (!bounce || bounce.delayed) return NOTHING;
      if (bounce.class === "hard") {
        return {
          prospect: { reason: "hard_bounce" },
          emailLog: "bounced",
          suppress: true,
          replied: false,
        };
      }
      if (bounce.reason === "spamdetected") {
        return { ...NOTHING, prospect: { reason: "refused_as_spam" }, emailLog: "spam" };
      }
      return { ...NOTHING, prospect: { reason: "soft_bounce" }, emailLog: "not_delivered" };
    }
    case "other":
      return NOTHING;
  }
}
