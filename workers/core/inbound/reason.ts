import { ADDRESS_PHRASES, NOT_REJECTED } from "./reason-phrases";
import { TRANSPORT_PHRASES } from "./reason-phrases-transport";
import { REASON_REGEXES } from "./reason-regexes";
import { reasonOfStatus } from "./smtp-codes";
import type { BounceReason } from "./types";

/**
 * One failed recipient of a bounce, as a report or an MTA's text tells it; the fields
 * sisimai's reason detection reads (Sisimai::Data).
 */
export type Delivery = {
  recipient: string;
  /** RFC 3464 Action ("failed", "delayed"…), lower-case, or "". */
  action: string;
  /** Enhanced status code, or "". */
  status: string;
  /** SMTP reply code (e.g. "550"), or "". */
  replyCode: string;
  /** The remote server's words. */
  diagnostic: string;
  /** RFC 3464 diagnostic-type ("SMTP", "X-UNIX", "X-POSTFIX"), or "". */
  diagnosticType: string;
  /** The SMTP command the failure answered (RCPT, MAIL, DATA, EHLO, HELO…), or "". */
  command: string;
  /** The remote MTA's host name, lower-case, or "". */
  rhost: string;
  /** A reason an MTA-specific reading already settled on, or "". */
  reason: BounceReason | "";
};

/** Whether a lower-cased text carries the words or patterns of a reason. */
export function saysReason(reason: BounceReason, lower: string): boolean {
  if (reason === "rejected" && NOT_REJECTED.some((p) => lower.includes(p))) return false;
  const regex = REASON_REGEXES[reason];
  if (regex?.test(lower)) return true;
  const phrases = ADDRESS_PHRASES[reason] ?? TRANSPORT_PHRASES[reason];
  return phrases ? phrases.some((p) => lower.includes(p)) : false;
}

/** Reasons an MTA reading may have guessed too quickly: detection runs again over them. */
export const RETRIED = new Set<BounceReason | "">([
  "undefined",
  "onhold",
  "systemerror",
  "securityerror",
  "networkerror",
  "hostunknown",
  "userunknown",
]);

type Probe = { d: Delivery; lower: string; named: BounceReason | "" };

const anyOf = (reasons: BounceReason[], lower: string) => reasons.some((r) => saysReason(r, lower));

const BEFORE_DATA = /^(?:CONN|EHLO|HELO|MAIL|RCPT)$/;

/**
 * Each reason's own test over the whole delivery (code, command, words), in the order
 * sisimai tries them when the diagnostic is an SMTP one. `named` is what the status code
 * alone says.
 */
const FIRST_PASS: [BounceReason, (p: Probe) => boolean][] = [
  [
    "mailboxfull",
    ({ d, lower, named }) =>
      !!d.status && (named === "mailboxfull" || saysReason("mailboxfull", lower)),
  ],
  [
    "mesgtoobig",
    ({ d, lower, named }) =>
      named === "mesgtoobig" ||
      (named !== "exceedlimit" && d.status !== "5.2.3" && saysReason("mesgtoobig", lower)),
  ],
  [
    "exceedlimit",
    ({ d, lower, named }) =>
      !!d.status && (named === "exceedlimit" || saysReason("exceedlimit", lower)),
  ],
  ["suspend", ({ d, lower }) => !!d.status && saysReason("suspend", lower)],
  ["hasmoved", ({ lower }) => saysReason("hasmoved", lower)],
  [
    "norelaying",
    ({ d, lower }) =>
      d.reason !== "securityerror" &&
      d.reason !== "systemerror" &&
      d.reason !== "undefined" &&
      !/^(?:CONN|EHLO|HELO)$/.test(d.command) &&
      saysReason("norelaying", lower),
  ],
  [
    "userunknown",
    ({ d, lower, named }) => {
      if (named === "suspend") return false;
      if (named === "userunknown") {
        // A 5.1.1 whose words say relaying, blocking, a full box… is that instead.
        return !anyOf(
          ["norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept"],
          lower,
        );
      }
      return d.command === "RCPT" && saysReason("userunknown", lower);
    },
  ],
  [
    "filtered",
    ({ d, lower, named }) => {
      if (named === "suspend") return false;
      if (named === "filtered")
        return saysReason("userunknown", lower) || saysReason("filtered", lower);
      if (BEFORE_DATA.test(d.command)) return false;
      return saysReason("filtered", lower) || saysReason("userunknown", lower);
    },
  ],
  [
    "rejected",
    ({ d, lower, named }) => {
      if (named === "rejected") return true;
      if (d.command === "MAIL") return saysReason("rejected", lower);
      if (d.command === "DATA") return named !== "userunknown" && saysReason("rejected", lower);
      return (
        (named === "" ||
          named === "onhold" ||
          named === "securityerror" ||
          named === "systemerror") &&
        saysReason("rejected", lower)
      );
    },
  ],
  [
    "hostunknown",
    ({ lower, named }) =>
      named === "hostunknown"
        ? !saysReason("networkerror", lower)
        : saysReason("hostunknown", lower),
  ],
  [
    "spamdetected",
    ({ d, lower, named }) =>
      !!d.status &&
      (named === "spamdetected" ||
        (!BEFORE_DATA.test(d.command) && saysReason("spamdetected", lower))),
  ],
  [
    "toomanyconn",
    ({ lower, named }) => named === "toomanyconn" || saysReason("toomanyconn", lower),
  ],
  ["blocked", ({ lower, named }) => named === "blocked" || saysReason("blocked", lower)],
];

/** Reasons read from the words alone when the code did not settle it, in sisimai's order. */
const SECOND_PASS: BounceReason[] = [
  "mailboxfull",
  "spamdetected",
  "policyviolation",
  "virusdetected",
  "norelaying",
  "securityerror",
  "systemerror",
  "networkerror",
  "suspend",
  "expired",
  "contenterror",
  "systemfull",
  "notaccept",
  "mailererror",
];

/** sisimai's fallback (Sisimai::Reason->anotherone): words, then the code's class, then the command. */
function anotherOne(d: Delivery, lower: string): BounceReason | "" {
  if (d.reason) return d.reason;
  const reason = reasonOfStatus(d.status);
  const retry =
    reason === "" || reason === "expired" || RETRIED.has(reason) || d.diagnosticType !== "SMTP";
  if (!retry) return reason;
  const worded = SECOND_PASS.find((r) => saysReason(r, lower));
  if (worded) return worded;
  if (reason) return reason;
  const klass = d.status.slice(0, 3);
  if (klass === "5.6" || klass === "4.6") return "contenterror";
  if (klass === "5.7" || klass === "4.7") return "securityerror";
  if (d.diagnosticType === "X-UNIX" || d.diagnosticType === "X-POSTFIX") return "mailererror";
  if (/^[45]0[0-7]$/.test(d.replyCode)) return "syntaxerror";
  if (d.action === "delayed" || d.action === "expired") return "expired";
  if (d.command === "EHLO" || d.command === "HELO") return "blocked";
  return "";
}

/**
 * The reason a delivery failed, as sisimai 4.25 decides it (Sisimai::Reason->get): a
 * settled MTA reading first, then each reason's test in order, then the fallbacks.
 */
export function reasonOf(d: Delivery): BounceReason {
  if (d.reason && !RETRIED.has(d.reason)) return d.reason;
  const lower = d.diagnostic.toLowerCase();
  const named = reasonOfStatus(d.status);
  if (d.diagnosticType === "SMTP" || d.diagnosticType === "") {
    const probe: Probe = { d, lower, named };
    for (const [reason, test] of FIRST_PASS) {
      if (d.reason === reason || test(probe)) return reason;
    }
  }
  const other = anotherOne(d, lower);
  if (other && other !== "undefined") return other;
  if (d.action === "delayed") return "expired";
  return d.diagnostic ? "onhold" : "undefined";
}
