import { header } from "./message";
import { applyField, dsnField, fillet, type MtaReader, sweep } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import { findStatus } from "./smtp-codes";
import type { BounceReason } from "./types";

// Readers of Microsoft's non-delivery reports, after sisimai's Sisimai::Lhost::Exchange2003,
// ::Office365 and ::Outlook (libsisimai-perl 4.25.15, BSD 2-clause).

const received = (m: Parameters<MtaReader>[0]) => m.mail.headers.get("received") ?? [];
const RFC822 = /^Content-Type: message\/rfc822/m;

/** Exchange 2003's MSEXCH codes. */
const EXCHANGE_CODES: Record<string, BounceReason> = {
  "000B099C": "onhold",
  "000B09AA": "onhold",
  "000B09B6": "onhold",
  "000C05A6": "userunknown",
  "00010256": "systemerror",
  "000D06B5": "systemerror",
  "00120270": "networkerror",
  "00050311": "contenterror",
  "000502CC": "contenterror",
  "000B0981": "securityerror",
  "000C0595": "filtered",
};

/** Exchange Server 2003 and older: "Your message … did not reach the following recipient(s)". */
export const exchange2003: MtaReader = (m) => {
  const mailer = header(m.mail, "x-mailer");
  const match =
    m.mail.headers.has("x-ms-embedded-report") ||
    mailer.startsWith("Internet Mail Service (") ||
    mailer.startsWith("Microsoft Exchange Server Internet Mail Connector") ||
    header(m.mail, "x-mimeole").startsWith("Produced By Microsoft Exchange") ||
    received(m).some((r) => r.includes(" with Internet Mail Service ("));
  if (!match) return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) => l.startsWith("Your message"));
  const ds = new Deliveries();
  let headersSeen = 0;
  let statusDone = false;
  let msexch = false;
  const alt: string[] = [];
  for (const line of lines.slice(1)) {
    if (statusDone) break;
    if (headersSeen < 3) {
      if (/^[ \t]+(?:To|Subject|Sent):[ \t]+/.test(line)) headersSeen++;
      continue;
    }
    const rcpt =
      /^[ \t]*([^ ]+@[^ ]+) on[ \t]*/.exec(line) ??
      /^[ \t]*.+(?:SMTP|smtp)=([^ ]+@[^ ]+) on/.exec(line);
    if (rcpt) {
      ds.add(rcpt[1]);
      msexch = false;
    } else if (/^[ \t]+(MSEXCH:.+)$/.test(line)) {
      ds.current.diagnostic += line.trim();
    } else if (!msexch) {
      if (ds.current.diagnostic.startsWith("MSEXCH:")) {
        msexch = true;
        ds.current.diagnostic += ` ${line}`;
        statusDone = true;
      } else {
        alt[ds.list.length - 1] = `${alt[ds.list.length - 1] ?? ""} ${line}`;
      }
    }
  }
  const list = ds.done();
  list?.forEach((d, i) => {
    const code = /^MSEXCH:.+[ \t]*\(([0-9A-F]{8})\)[ \t]*(.*)$/.exec(d.diagnostic);
    if (code) {
      d.reason = EXCHANGE_CODES[code[1]] ?? "";
      d.diagnostic = code[2];
    }
    if (!d.reason && alt[i]) d.diagnostic = sweep(`${alt[i]} ${d.diagnostic}`);
  });
  return list;
};

const OFFICE365_STATUS: [RegExp, BounceReason][] = [
  [/^4\.4\.7$/, "expired"],
  [/^4\.4\.312$/, "networkerror"],
  [/^4\.4\.316$/, "expired"],
  [/^4\.7\.26$/, "securityerror"],
  [/^4\.7\.[56]\d\d$/, "blocked"],
  [/^4\.7\.8[5-9]\d$/, "blocked"],
  [/^5\.0\.350$/, "contenterror"],
  [/^5\.1\.10$/, "userunknown"],
  [/^5\.4\.1$/, "norelaying"],
  [/^5\.4\.6$/, "networkerror"],
  [/^5\.4\.312$/, "networkerror"],
  [/^5\.4\.316$/, "expired"],
  [/^5\.6\.11$/, "contenterror"],
  [/^5\.7\.1$/, "rejected"],
  [/^5\.7\.1[23]$/, "rejected"],
  [/^5\.7\.124$/, "rejected"],
  [/^5\.7\.13[3-6]$/, "rejected"],
  [/^5\.7\.23$/, "blocked"],
  [/^5\.7\.25$/, "networkerror"],
  [/^5\.7\.50[1-3]$/, "spamdetected"],
  [/^5\.7\.50[4-5]$/, "filtered"],
  [/^5\.7\.50[6-7]$/, "blocked"],
  [/^5\.7\.508$/, "toomanyconn"],
  [/^5\.7\.509$/, "securityerror"],
  [/^5\.7\.510$/, "notaccept"],
  [/^5\.7\.511$/, "rejected"],
  [/^5\.7\.512$/, "securityerror"],
  [/^5\.7\.57$/, "securityerror"],
  [/^5\.7\.60[6-9]$/, "blocked"],
  [/^5\.7\.6[1-4]\d$/, "blocked"],
  [/^5\.7\.7[0-4]\d$/, "toomanyconn"],
];
const OFFICE365_HOST = /.\.(?:outbound\.protection|prod)\.outlook\.com\b/;

/** Office 365 / Exchange Online NDRs ("Delivery has failed to these recipients or groups"). */
export const office365: MtaReader = (m) => {
  const h = (name: string) => m.mail.headers.has(name);
  let score = 0;
  if (m.subject.includes("Undeliverable:")) score++;
  for (const name of [
    "x-ms-exchange-message-is-ndr",
    "x-microsoft-antispam-prvs",
    "x-exchange-antispam-report-test",
    "x-exchange-antispam-report-cfa-test",
    "x-ms-exchange-crosstenant-originalarrivaltime",
    "x-ms-exchange-crosstenant-fromentityheader",
    "x-ms-exchange-transport-crosstenantheadersstamped",
  ]) {
    if (h(name) && header(m.mail, name)) score++;
  }
  if (received(m).some((r) => OFFICE365_HOST.test(r))) score++;
  if (OFFICE365_HOST.test(header(m.mail, "message-id"))) score++;
  if (score < 2) return null;
  const start =
    /^(?:Delivery has failed to these recipients or groups:|Original Message Details|.+ rejected your message to the following e-?mail addresses:)/;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) => start.test(l));
  const ds = new Deliveries();
  let endOfError = false;
  const rest: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^.+@.+<mailto:(.+@.+)>$/.exec(line) ?? /^Recipient Address:\s+(.+)$/.exec(line);
    if (rcpt) {
      ds.add(rcpt[1]);
    } else if (/^Generating server: /.test(line)) {
      // the reporting host, not the remote one
    } else if (endOfError) {
      rest.push(line);
    } else if (/^(?:Diagnostic information for administrators:|Error Details)/.test(line)) {
      ds.current.diagnostic = line;
    } else if (ds.current.diagnostic) {
      if (/^(?:Original [Mm]essage [Hh]eaders:?|Message Hops)/.test(line)) endOfError = true;
      else ds.current.diagnostic += ` ${line}`;
    }
  }
  for (const line of rest) {
    const f = dsnField(line);
    if (f && !f.perMessage && f.name !== "diagnostic-code" && f.name !== "final-recipient") {
      applyField(ds.current, f);
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (!d.status || d.status.endsWith(".0.0")) d.status = findStatus(d.diagnostic) || d.status;
    if (/unknown recipient or mailbox unavailable ->.+<?.+@.+\.[a-zA-Z]+>?/.test(d.diagnostic)) {
      d.command = "RCPT";
    }
    if (d.status) d.reason = OFFICE365_STATUS.find(([code]) => code.test(d.status))?.[1] ?? "";
  }
  return list;
};

const OUTLOOK_PHRASES: PhraseTable = [
  [
    "hostunknown",
    ["The mail could not be delivered to the recipient because the domain is not reachable"],
  ],
  ["userunknown", ["Requested action not taken: mailbox unavailable"]],
];

/** Outlook.com / Hotmail delivery status notifications. */
export const outlook: MtaReader = (m) => {
  let score = 0;
  if (m.subject.includes("Delivery Status Notification")) score++;
  if (header(m.mail, "x-message-delivery")) score++;
  if (header(m.mail, "x-message-info")) score++;
  if (received(m).some((r) => r.includes(".hotmail.com"))) score++;
  if (score < 2) return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) =>
    l.startsWith("This is an automatically generated Delivery Status Notification"),
  );
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) {
    if (!d.diagnostic) {
      d.diagnostic =
        d.action === "delayed"
          ? "Delivery to the following recipients has been delayed."
          : "Unable to deliver message to the following recipients, due to being unable to connect successfully to the destination mail server.";
    }
    d.reason = phraseReason(OUTLOOK_PHRASES, d.diagnostic);
  }
  return list;
};
