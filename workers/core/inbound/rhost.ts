import type { Delivery } from "./reason";
import { EXCHANGE_ONLINE } from "./rhost-exchange";
import { GOOGLE, MIMECAST } from "./rhost-google";
import type { BounceReason } from "./types";

// Receiving systems whose codes mean more than the standard says, from sisimai's
// Sisimai::Rhost::* (libsisimai-perl 4.25.15, BSD 2-clause). Each reads the delivery
// and answers a reason, or "" when it has nothing to add.

type Reader = (d: Delivery, lower: string) => BounceReason | "";

const firstPhrase = (table: Partial<Record<BounceReason, string[]>>, text: string) =>
  (Object.entries(table).find(([, phrases]) => phrases.some((p) => text.includes(p)))?.[0] ?? "") as
    | BounceReason
    | "";

const COX_CODES: Record<string, BounceReason> = {
  CXBL: "blocked",
  CXTHRT: "securityerror",
  CXMJ: "securityerror",
  CXDNS: "blocked",
  CXSNDR: "rejected",
  CXSMTP: "rejected",
  CXCNCT: "toomanyconn",
  CXMXRT: "toomanyconn",
  CDRBL: "blocked",
  URLBL011: "spamdetected",
  URLBL101: "spamdetected",
  URLBL110: "spamdetected",
  URLBL1001: "spamdetected",
};
const cox: Reader = (d) => {
  const code = /AUP#([0-9A-Z]+)/.exec(d.diagnostic)?.[1] ?? "";
  if (COX_CODES[code]) return COX_CODES[code];
  if (code.startsWith("IPBL")) return "blocked";
  return firstPhrase(
    {
      blocked: [
        "rejected - no rDNS",
        "cox too many bad commands from",
        "DNS check failure - try again later",
        "Too many invalid recipients",
      ],
      notaccept: ["ESMTP server temporarily not available"],
      policyviolation: ["ESMTP no data before greeting", "attachment extension is forbidden"],
      rejected: ["sender rejected"],
      toomanyconn: [
        "too many sessions from",
        "requested action aborted: try again later",
        "Message threshold exceeded",
      ],
      userunknown: ["recipient rejected"],
    },
    d.diagnostic,
  );
};

const exchangeOnline: Reader = (d, lower) => {
  if (d.reason) return d.reason;
  if (!lower || !/^[245]\.\d\.\d+$/.test(d.status)) return "";
  const last = Number(d.status.split(".")[2]);
  for (const [reason, status, low, high, words] of EXCHANGE_ONLINE) {
    const fits =
      low === high ? d.status === status : d.status.includes(status) && last >= low && last <= high;
    if (fits && lower.includes(words)) return reason;
  }
  return "";
};

const FRANCE_PTT: Record<string, BounceReason | "undefined"> = {
  "101": "blocked",
  "102": "blocked",
  "103": "blocked",
  "104": "toomanyconn",
  "305": "securityerror",
  "401": "blocked",
  "402": "securityerror",
  "403": "rejected",
  "405": "rejected",
  "415": "rejected",
  "416": "userunknown",
  "417": "mailboxfull",
  "418": "userunknown",
  "420": "suspend",
  "421": "rejected",
  "426": "suspend",
  "505": "systemerror",
  "506": "spamdetected",
  "510": "blocked",
  "514": "mesgtoobig",
  "517": "policyviolation",
  "630": "policyviolation",
  "999": "blocked",
};
const francePtt: Reader = (d) => {
  if (d.reason) return d.reason;
  const m = /\b(LPN|LPNAAA|OFR|OUK)(_[0-9]{3}|[0-9]{3}[-_][0-9]{3})\b/i.exec(d.diagnostic);
  return m ? (FRANCE_PTT[(m[1] + m[2]).slice(-3)] ?? "undefined") : "";
};

const GODADDY_CODES: Record<string, BounceReason> = {
  IB103: "blocked",
  IB104: "blocked",
  IB105: "blocked",
  IB106: "blocked",
  IB007: "toomanyconn",
  IB101: "expired",
  IB108: "blocked",
  IB110: "blocked",
  IB111: "blocked",
  IB112: "blocked",
  IB113: "blocked",
  IB212: "spamdetected",
  IB401: "securityerror",
  IB501: "rejected",
  IB502: "rejected",
  IB504: "toomanyconn",
  IB506: "rejected",
  IB508: "rejected",
  IB510: "toomanyconn",
  IB607: "toomanyconn",
  IB705: "virusdetected",
};
const goDaddy: Reader = (d) => {
  if (d.reason) return d.reason;
  const code = /\s(IB\d{3})\b/.exec(d.diagnostic)?.[1];
  if (code) return GODADDY_CODES[code] ?? "";
  return firstPhrase(
    {
      blocked: ["www.spamhaus.org/query/bl?ip=", "554 RBL Reject."],
      expired: ["Delivery timeout", "451 Sorry, I wasn't able to establish an SMTP connection."],
      suspend: ["Account disabled"],
      mailboxfull: ["Account storage limit"],
      userunknown: ["Account does not exist", "550 Recipient not found."],
    },
    d.diagnostic,
  );
};

const google: Reader = (d, lower) => {
  if (d.reason) return d.reason;
  if (!d.replyCode || !lower || !/^[245]\.\d\.\d+$/.test(d.status)) return "";
  // sisimai compares all but the class digit of both codes.
  const status = d.status.slice(2);
  const reply = d.replyCode.slice(1);
  for (const [reason, replyCode, statusCode, words] of GOOGLE) {
    if (lower.includes(words) && replyCode.slice(1) === reply && statusCode.slice(2) === status) {
      return reason;
    }
  }
  return "";
};

const IUA: Record<string, BounceReason> = {
  "1": "norelaying",
  "2": "userunknown",
  "3": "suspend",
  "4": "mailboxfull",
  "5": "toomanyconn",
  "6": "norelaying",
  "7": "blocked",
  "8": "rejected",
  "9": "blocked",
  "10": "filtered",
};
const iua: Reader = (_d, lower) => IUA[/\.i\.ua\/err\/(\d+)/.exec(lower)?.[1] ?? ""] ?? "";

const kddi: Reader = (d) => {
  if (d.diagnostic.includes("550 : User unknown")) return "filtered";
  return d.diagnostic.includes(">: User unknown") ? "userunknown" : "";
};

const mimecast: Reader = (d, lower) => {
  if (!lower || !/^[245]\d\d$/.test(d.replyCode)) return "";
  const reply = Number(d.replyCode);
  return MIMECAST.find(([, code, words]) => code === reply && lower.includes(words))?.[0] ?? "";
};

const nttDocomo: Reader = (d, lower) => {
  if (d.status === "5.1.1" || d.status === "5.0.911") return "userunknown";
  if (d.status === "5.2.0") return "filtered";
  if (lower.includes("552 too much mail data")) return "mailboxfull";
  if (lower.includes("552 too many recipients")) return "toomanyconn";
  if (/503 bad sequence of commands|504 command parameter not implemented/.test(lower)) {
    return "syntaxerror";
  }
  if (d.status === "5.0.0" && d.command === "RCPT") return "userunknown";
  if (d.status === "5.0.0" && d.command === "DATA") return "rejected";
  return "";
};

const SPECTRUM: Record<number, BounceReason> = {
  1000: "blocked",
  1010: "rejected",
  1090: "systemerror",
  1260: "networkerror",
  1500: "rejected",
  1520: "rejected",
  1530: "mesgtoobig",
  1540: "toomanyconn",
  1550: "toomanyconn",
  1560: "policyviolation",
};
const SPECTRUM_RANGES: [number, number, BounceReason][] = [
  [1020, 1080, "rejected"],
  [1100, 1150, "blocked"],
  [1160, 1190, "policyviolation"],
  [1200, 1250, "blocked"],
  [1300, 1490, "toomanyconn"],
];
const spectrum: Reader = (d) => {
  const code = Number(/AUP#[-A-Za-z]*(\d{4})/.exec(d.diagnostic)?.[1] ?? 0);
  return SPECTRUM[code] ?? SPECTRUM_RANGES.find(([lo, hi]) => code >= lo && code <= hi)?.[2] ?? "";
};

const TENCENT: [string, BounceReason][] = [
  ["dmarc check failed", "blocked"],
  ["spf check failed", "blocked"],
  ["suspected spam ip", "blocked"],
  ["mail is rejected by recipients", "filtered"],
  ["message too large", "mesgtoobig"],
  ["mail content denied", "spamdetected"],
  ["spam is embedded in the email", "spamdetected"],
  ["suspected spam", "spamdetected"],
  ["bad address syntax", "syntaxerror"],
  ["connection denied", "toomanyconn"],
  ["connection frequency limited", "toomanyconn"],
  ["domain frequency limited", "toomanyconn"],
  ["ip frequency limited", "toomanyconn"],
  ["sender frequency limited", "toomanyconn"],
  ["mailbox unavailable or access denied", "toomanyconn"],
  ["mailbox not found", "userunknown"],
];
const tencent: Reader = (_d, lower) => TENCENT.find(([words]) => lower.includes(words))?.[1] ?? "";

const HOSTS: [RegExp, Reader][] = [
  [/cox\.net/, cox],
  [/\.(?:prod|protection)\.outlook\.com$/, exchangeOnline],
  [/\b(?:laposte\.net|(?:orange|wanadoo)\.fr)$/, francePtt],
  [/^(?:smtp|mailstore1)\.secureserver\.net$/, goDaddy],
  [/(?:aspmx|gmail-smtp-in)\.l\.google\.com$/, google],
  [/\.email\.ua$/, iua],
  [/\.(?:ezweb\.ne\.jp|au\.com)$/, kddi],
  [/\.mimecast\.com$/, mimecast],
  [/mfsmax\.docomo\.ne\.jp$/, nttDocomo],
  [/charter\.net/, spectrum],
  [/mx[0-9]+\.qq\.com$/, tencent],
];

/** "[mx.example.jp.] (192.0.2.1)" → "mx.example.jp". */
function hostOf(raw: string): string {
  const bare =
    raw
      .replace(/[[\]()]/g, "")
      .replace(/^.+=/, "")
      .trim()
      .split(/\s+/)[0] ?? "";
  return bare.replace(/\.$/, "").toLowerCase();
}

/**
 * What the receiving system (by its host name, else the recipient's domain) says the
 * failure was, or null when it is none of those sisimai knows or it has nothing to add.
 */
export function reasonByRemoteHost(d: Delivery): BounceReason | null {
  const lower = d.diagnostic.toLowerCase();
  for (const host of [hostOf(d.rhost), d.recipient.split("@")[1] ?? ""]) {
    if (!host) continue;
    const read = HOSTS.find(([pattern]) => pattern.test(host))?.[1];
    if (!read) continue;
    const reason = read(d, lower);
    if (reason) return reason;
  }
  return null;
}
