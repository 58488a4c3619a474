import type { BounceReason } from "./types";

/**
 * The reason each standard enhanced status code (RFC 3463, IANA registry) stands for,
 * as sisimai reads them. Codes missing here (5.0.0, 4.4.7…) say too little on their own.
 */
const REASON_OF_STATUS: Record<string, BounceReason> = {
  "4.1.6": "hasmoved",
  "4.1.7": "rejected",
  "4.1.8": "rejected",
  "4.1.9": "systemerror",
  "4.2.1": "suspend",
  "4.2.2": "mailboxfull",
  "4.2.3": "exceedlimit",
  "4.2.4": "filtered",
  "4.3.1": "systemfull",
  "4.3.2": "notaccept",
  "4.3.3": "systemerror",
  "4.3.5": "systemerror",
  "4.4.1": "expired",
  "4.4.2": "networkerror",
  "4.4.4": "networkerror",
  "4.4.5": "systemfull",
  "4.4.6": "networkerror",
  "4.4.7": "expired",
  "4.5.3": "systemerror",
  "4.5.5": "systemerror",
  "4.6.0": "contenterror",
  "4.6.2": "contenterror",
  "4.6.5": "contenterror",
  "4.7.1": "blocked",
  "4.7.2": "blocked",
  "4.7.5": "securityerror",
  "4.7.6": "securityerror",
  "4.7.7": "securityerror",
  "4.7.12": "securityerror",
  "4.7.15": "securityerror",
  "4.7.16": "mesgtoobig",
  "4.7.24": "securityerror",
  "4.7.25": "blocked",
  "5.1.0": "userunknown",
  "5.1.1": "userunknown",
  "5.1.2": "hostunknown",
  "5.1.3": "userunknown",
  "5.1.4": "filtered",
  "5.1.6": "hasmoved",
  "5.1.7": "rejected",
  "5.1.8": "rejected",
  "5.1.9": "systemerror",
  "5.1.10": "notaccept",
  "5.2.0": "filtered",
  "5.2.1": "filtered",
  "5.2.2": "mailboxfull",
  "5.2.3": "exceedlimit",
  "5.2.4": "filtered",
  "5.3.0": "systemerror",
  "5.3.1": "systemfull",
  "5.3.2": "notaccept",
  "5.3.3": "systemerror",
  "5.3.4": "mesgtoobig",
  "5.3.5": "systemerror",
  "5.4.0": "networkerror",
  "5.4.3": "systemerror",
  "5.4.4": "hostunknown",
  "5.5.3": "toomanyconn",
  "5.5.4": "systemerror",
  "5.5.5": "systemerror",
  "5.5.6": "securityerror",
  "5.6.0": "contenterror",
  "5.6.1": "contenterror",
  "5.6.2": "contenterror",
  "5.6.3": "contenterror",
  "5.6.5": "contenterror",
  "5.6.6": "contenterror",
  "5.6.7": "contenterror",
  "5.6.8": "contenterror",
  "5.6.9": "contenterror",
  "5.7.0": "securityerror",
  "5.7.1": "securityerror",
  "5.7.2": "securityerror",
  "5.7.3": "securityerror",
  "5.7.4": "securityerror",
  "5.7.5": "securityerror",
  "5.7.6": "securityerror",
  "5.7.7": "securityerror",
  "5.7.8": "securityerror",
  "5.7.9": "securityerror",
  "5.7.10": "securityerror",
  "5.7.11": "securityerror",
  "5.7.13": "suspend",
  "5.7.14": "securityerror",
  "5.7.15": "securityerror",
  "5.7.16": "mesgtoobig",
  "5.7.17": "hasmoved",
  "5.7.18": "hasmoved",
  "5.7.19": "securityerror",
  "5.7.20": "securityerror",
  "5.7.21": "securityerror",
  "5.7.22": "securityerror",
  "5.7.23": "securityerror",
  "5.7.24": "securityerror",
  "5.7.25": "blocked",
  "5.7.26": "securityerror",
  "5.7.27": "notaccept",
};

/** The reason a standard enhanced status code stands for, or "" when it says too little. */
export function reasonOfStatus(status: string): BounceReason | "" {
  return REASON_OF_STATUS[status] ?? "";
}

// Tried in order: "#5.1.1" (qmail), "550-5.1.1" / "550 5.1.1", a bare "5.1.1".
const STATUS_PATTERNS = [
  / ?\(#([45]\.\d\.\d+)\)? ?/,
  /\b\d{3}[ -]#?([45]\.\d\.\d+)\b/,
  /\b([45]\.\d\.\d+)\b/,
  /\b(2\.[0-7]\.[0-7])\b/,
];

/** The first enhanced status code in a text ("" when none), skipping IP-address look-alikes. */
export function findStatus(text: string): string {
  for (const pattern of STATUS_PATTERNS) {
    const found = pattern.exec(text)?.[1];
    if (!found) continue;
    // "192.5.1.1" or "5.1.1.4" are addresses or versions, not status codes.
    const escaped = found.replaceAll(".", "\\.");
    if (new RegExp(`\\b(?:${escaped}\\.\\d{1,3}|\\d{1,3}\\.${escaped})\\b`).test(text)) continue;
    return found;
  }
  return "";
}

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;

/** The first SMTP reply code (2xx–5xx) in a text, or "". */
export function findReply(text: string): string {
  if (/X-UNIX;/i.test(text)) return "";
  const masked = text.replace(IPV4, "*");
  return /\b([45][0-5]\d)\b/.exec(masked)?.[1] ?? /\b(25[0-3])\b/.exec(masked)?.[1] ?? "";
}

/** The first code (enhanced status, else reply code) of a text, as "5…", "4…" or "". */
function firstCode(text: string): string {
  return findStatus(text) || findReply(text);
}

const HARD_REASONS = new Set<BounceReason>(["hasmoved", "hostunknown", "userunknown"]);

/**
 * Hard or soft, as sisimai decides it: an address or domain that does not exist (or
 * moved) is hard; a host that takes no mail at all (notaccept) is hard unless the code is
 * temporary; everything else is soft.
 */
export function softOrHard(reason: BounceReason, codes: string): "hard" | "soft" {
  if (HARD_REASONS.has(reason)) return "hard";
  if (reason === "notaccept") return firstCode(codes).startsWith("4") ? "soft" : "hard";
  return "soft";
}
