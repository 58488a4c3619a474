import { header } from "./message";
import { fillet, type MtaReader } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import type { BounceReason } from "./types";

// Readers of mail servers' and list managers' own bounces, after sisimai's
// Sisimai::Lhost::FML, ::ApacheJames, ::Courier and ::OpenSMTPD (libsisimai-perl 4.25.15, BSD 2-clause).

const FML_BY_WORDS: [BounceReason, RegExp][] = [
  [
    "rejected",
    /(?:Ignored )*NOT MEMBER article from |reject (?:mail from .+@.+|since .+ header may cause mail loop|spammers:)|You are not a member of this mailing list/,
  ],
  [
    "systemerror",
    /Duplicated Message-ID|fml .+ has detected a loop condition so that|Loop Back Warning:/,
  ],
  ["securityerror", /Security alert:/],
];
const FML_BY_SUBJECT: [BounceReason, RegExp][] = [
  [
    "rejected",
    /(?:Ignored )*NOT MEMBER article from |reject mail (?:.+:|from) ,|Spam mail from a spammer is rejected|You .+ are not member/,
  ],
  [
    "systemerror",
    /fml system error message|Loop Alert: |Loop Back Warning: |WARNING: UNIX FROM Loop/,
  ],
  ["securityerror", /Security Alert/],
];

/** fml, the mailing list manager, refusing a post. */
export const fml: MtaReader = (m) => {
  if (!m.mail.headers.has("x-mlserver")) return null;
  if (!/.+-admin@.+/.test(m.from)) return null;
  if (!/^<\d+\.FML.+@.+>$/.test(header(m.mail, "message-id"))) return null;
  const ds = new Deliveries();
  for (const line of fillet(m.body, /^Original mail as follows:/m)[0].split("\n")) {
    if (!line) continue;
    const rcpt = /<([^ ]+?@[^ ]+?)>\.$/.exec(line);
    if (rcpt) {
      ds.add(rcpt[1]);
      ds.current.diagnostic = line;
    } else {
      ds.current.diagnostic += line;
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    d.reason =
      FML_BY_WORDS.find(([, re]) => re.test(d.diagnostic))?.[0] ??
      FML_BY_SUBJECT.find(([, re]) => re.test(m.subject))?.[0] ??
      "";
  }
  return list;
};

/** Apache James. */
export const apacheJames: MtaReader = (m) => {
  const match =
    m.subject === "[BOUNCE]" ||
    header(m.mail, "message-id").includes(".JavaMail.") ||
    (m.mail.headers.get("received") ?? []).some((r) => r.includes("JAMES SMTP Server"));
  if (!match) return null;
  const lines = linesFrom(fillet(m.body, /^Content-Type: message\/rfc822/m)[0], () => true);
  const ds = new Deliveries();
  let done = false;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^ {2}RCPT TO: ([^ ]+@[^ ]+)$/.exec(line);
    if (rcpt) ds.add(rcpt[1]);
    else if (/^ {2}(?:Sent date|Subject): /.test(line) || done) continue;
    else if (ds.current.diagnostic) {
      if (line === "Message details:") done = true;
      else ds.current.diagnostic += ` ${line}`;
    } else if (line === "Error message below:") {
      ds.current.diagnostic = `${line} ${line}`;
    } else {
      ds.current.diagnostic += ` ${line}`;
    }
  }
  return ds.done();
};

const COURIER_PHRASES: PhraseTable = [
  ["hostunknown", ["No such domain."]],
  ["systemerror", ["This domain's DNS violates RFC 1035."]],
  ["networkerror", ["DNS lookup failed."]],
];

/** The Courier mail server. */
export const courier: MtaReader = (m) => {
  const match =
    m.from.includes("Courier mail server at ") ||
    /(?:NOTICE: mail delivery status\.|WARNING: delayed mail\.)/.test(m.subject) ||
    /^<courier\.[0-9A-F]+\./.test(header(m.mail, "message-id"));
  if (!match) return null;
  const report = fillet(m.body, /^Content-Type: (?:message\/rfc822|text\/rfc822-headers)/m)[0];
  const lines = linesFrom(
    report,
    (l) => l.includes("DELAYS IN DELIVERING YOUR MESSAGE") || l.includes("UNDELIVERABLE MAIL"),
  );
  const ds = new Deliveries();
  let command = "";
  readFields(lines.slice(1), ds, (line) => {
    command ||= /^>>> +([A-Z]{4}) ?/.exec(line)?.[1] ?? "";
  });
  const list = ds.done();
  for (const d of list ?? []) {
    d.reason = phraseReason(COURIER_PHRASES, d.diagnostic);
    d.command ||= command;
  }
  return list;
};

const OPENSMTPD_PHRASES: PhraseTable = [
  ["expired", ["Envelope expired"]],
  ["hostunknown", ["Invalid domain name", "Domain does not exist"]],
  ["notaccept", ["Destination seem to reject all mails"]],
  [
    "networkerror",
    [
      "Address family mismatch on destination MXs",
      "All routes to destination blocked",
      "bad DNS lookup error code",
      "Could not retrieve source address",
      "Loop detected",
      "Network error on destination MXs",
      "No MX found for domain",
      "No MX found for destination",
      "No valid route to remote MX",
      "No valid route to destination",
      "Temporary failure in MX lookup",
    ],
  ],
  ["securityerror", ["Could not retrieve credentials"]],
];

/** OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail." */
export const openSmtpd: MtaReader = (m) => {
  if (!m.subject.includes("Delivery status notification")) return null;
  if (!m.from.includes("Mailer Daemon <")) return null;
  if (!(m.mail.headers.get("received") ?? []).some((r) => r.includes(" (OpenSMTPD) with "))) {
    return null;
  }
  const report = fillet(m.body, /^[ ]+Below is a copy of the original message:/m)[0];
  const lines = linesFrom(report, (l) =>
    l.startsWith("    This is the MAILER-DAEMON, please DO NOT REPLY to this"),
  );
  const ds = new Deliveries();
  for (const line of lines.slice(1)) {
    const rcpt = /^([^ ]+?@[^ ]+?):? (.+)$/.exec(line);
    if (rcpt) ds.add(rcpt[1]).diagnostic = rcpt[2];
  }
  const list = ds.done();
  for (const d of list ?? []) d.reason = phraseReason(OPENSMTPD_PHRASES, d.diagnostic);
  return list;
};
