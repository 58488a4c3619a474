import { header } from "./message";
import { fillet, type MtaReader } from "./mta-common";
import { Deliveries, linesFrom, readFields } from "./mta-scan";
import { findStatus } from "./smtp-codes";
import type { BounceReason } from "./types";

// Readers of mail gateways' and appliances' bounces, after sisimai's Sisimai::Lhost::McAfee,
// ::InterScanMSS, ::IMailServer, ::X3, ::X5 and ::PowerMTA (libsisimai-perl 4.25.15,
// BSD 2-clause).

const RFC822 = /^Content-Type: message\/rfc822/im;

/** McAfee's appliance: "--- The following addresses had delivery problems ---". */
export const mcafee: MtaReader = (m) => {
  if (!header(m.mail, "x-nai-header").includes("Modified by McAfee")) return null;
  if (m.subject !== "Delivery Status") return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) =>
    l.includes("--- The following addresses had delivery problems ---"),
  );
  const ds = new Deliveries();
  const alt: string[] = [];
  readFields(lines.slice(1), ds, (line) => {
    const rcpt = /^<([^ ]+@[^ ]+)>[ \t]+\((.+)\)$/.exec(line);
    if (rcpt) {
      ds.add(rcpt[1]);
      alt[ds.list.length - 1] = rcpt[2];
    }
  });
  const list = ds.done();
  list?.forEach((d, i) => {
    d.diagnostic ||= alt[i] ?? "";
    if (
      / User \(.+@.+\) unknown\. |550 Unknown user [^ ]+@[^ ]+|550 <.+?@.+?>\.+ User not exist|No such user/.test(
        d.diagnostic,
      )
    ) {
      d.reason = "userunknown";
    }
  });
  return list;
};

/** Trend Micro InterScan Messaging Security Suite. */
export const interScanMss: MtaReader = (m) => {
  const from = m.from;
  const match =
    from.startsWith('"InterScan MSS"') ||
    from.startsWith('"InterScan Notification"') ||
    [
      "Mail could not be delivered",
      "メッセージを配信できません。",
      "メール配信に失敗しました",
    ].includes(m.subject);
  if (!match) return null;
  const ds = new Deliveries();
  for (const line of fillet(m.body, RFC822)[0].split("\n")) {
    if (!line) continue;
    const rcpt =
      /^.+[<>]{3}[ \t]+.+<([^ ]+@[^ ]+)>/.exec(line) ??
      /^(?:Reason:[ ]+)?Unable to deliver message to <(.+)>/.exec(line);
    if (rcpt) {
      const address = rcpt[1].toLowerCase();
      if (ds.current.recipient && ds.current.recipient !== address) ds.add(address);
      else if (!ds.current.recipient) ds.add(address);
      if (/Unable to deliver /.test(line)) ds.current.diagnostic = line;
    }
    const sent = /^Sent[ \t]+<<<[ \t]+([A-Z]{4})[ \t]/.exec(line);
    const got = /^Received[ \t]+>>>[ \t]+(\d{3}[ \t]+.+)$/.exec(line);
    if (sent) ds.current.command = sent[1];
    else if (got) ds.current.diagnostic = got[1];
    else if (/ [<>]{3} /.test(line)) {
      const command = / >>> ([A-Z]{4})/.exec(line);
      const said = / <<< (.+)/.exec(line);
      if (command) ds.current.command = command[1];
      if (said) ds.current.diagnostic = said[1];
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (/Unable to deliver/.test(d.diagnostic)) d.reason = "userunknown";
  }
  return list;
};

const IMAIL_COMMANDS: [RegExp, string][] = [
  [/SMTP connection failed,|Unexpected connection response from server:/, "CONN"],
  [/Unexpected response to EHLO\/HELO:/, "EHLO"],
  [/Server response to MAIL FROM:/, "MAIL"],
  [/Additional RCPT TO generated following response:/, "RCPT"],
  [/DATA command generated response:/, "DATA"],
];
const IMAIL_FAILURES: [RegExp, BounceReason | "undefined"][] = [
  [/Unknown host/, "hostunknown"],
  [/^(?:Unknown user|Invalid final delivery userid)/, "userunknown"],
  [/^User mailbox exceeds allowed size/, "mailboxfull"],
  [/^Requested action not taken: virus detected/, "virusdetected"],
  [/^undeliverable to/, "undefined"],
  [/^Delivery failed \d+ attempts/, "expired"],
];

/** Ipswitch IMail Server. */
export const iMailServer: MtaReader = (m) => {
  const match =
    /^Undeliverable Mail[ ]*$/.test(m.subject) ||
    header(m.mail, "x-mailer").startsWith("<SMTP32 v");
  if (!match) return null;
  const ds = new Deliveries();
  const alt: string[] = [];
  for (const line of fillet(m.body, /^Original message follows\./m)[0].split("\n")) {
    const said = /^([^ ]+) (.+):[ \t]*([^ ]+@[^ ]+)/.exec(line);
    const undeliverable = /^undeliverable[ ]+to[ ]+(.+)$/.exec(line);
    if (said) {
      ds.add(said[3]);
      ds.current.diagnostic = `${said[1]} ${said[2]}`;
    } else if (undeliverable) {
      ds.add(undeliverable[1]);
    } else {
      const i = ds.list.length - 1;
      if (alt[i]) alt[i] += ` ${line}`;
      if (line.includes("Body of message generated response:")) alt[i] = line;
    }
  }
  const list = ds.done();
  list?.forEach((d, i) => {
    if (alt[i]) d.diagnostic = `${alt[i]} ${d.diagnostic}`.replace(/\s+/g, " ").trim();
    d.command = IMAIL_COMMANDS.find(([re]) => re.test(d.diagnostic))?.[1] ?? d.command;
    const reason = IMAIL_FAILURES.find(([re]) => re.test(d.diagnostic))?.[1];
    if (reason) d.reason = reason;
  });
  return list;
};

/** An unnamed MTA ("X3"): "This is an automatically generated Delivery Status Notification." */
export const x3: MtaReader = (m) => {
  if (!m.from.startsWith("Mail Delivery System")) return null;
  if (!m.subject.startsWith("Delivery status notification")) return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) =>
    l.startsWith("      This is an automatically generated Delivery Status Notification."),
  );
  const ds = new Deliveries();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^[ \t]+\*[ \t]([^ ]+@[^ ]+)$/.exec(line);
    const smtp = /^SMTP:([^ ]+)[ \t](.+)$/.exec(line);
    const routing = /^Routing: (.+)/.exec(line);
    const code = /^Diagnostic-Code: smtp; (.+)/.exec(line);
    if (rcpt) ds.add(rcpt[1]);
    else if (smtp) {
      ds.current.command = smtp[1].toUpperCase();
      ds.current.diagnostic = smtp[2];
    } else if (routing) ds.current.diagnostic = routing[1];
    else if (code) ds.current.diagnostic = code[1];
  }
  const list = ds.done();
  for (const d of list ?? []) d.status = findStatus(d.diagnostic);
  return list;
};

/** An unnamed MTA ("X5") whose From and Subject are MIME-encoded "Mail Delivery Subsystem". */
export const x5: MtaReader = (m) => {
  let score = 0;
  if (header(m.mail, "to").includes("NotificationRecipients")) score++;
  if (
    m.from.includes("TWFpbCBEZWxpdmVyeSBTdWJzeXN0ZW0") &&
    m.mail.fromName.includes("Mail Delivery Subsystem")
  )
    score++;
  if (
    /=\?[^?]+\?[BbQq]\?/.test(header(m.mail, "subject")) &&
    m.subject.includes("Mail Delivery Subsystem")
  )
    score++;
  if (score < 2) return null;
  const lines = linesFrom(m.body, (l) => l.startsWith("Content-Type: message/delivery-status"));
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  return ds.done();
};

const POWERMTA_CATEGORIES: Record<string, BounceReason> = {
  "bad-domain": "hostunknown",
  "bad-mailbox": "userunknown",
  "message-expired": "expired",
  "no-answer-from-host": "networkerror",
  "policy-related": "policyviolation",
  "quota-issues": "mailboxfull",
  "routing-errors": "systemerror",
  "spam-related": "spamdetected",
};

/** PowerMTA's "Delivery report" with its X-PowerMTA-BounceCategory. */
export const powerMta: MtaReader = (m) => {
  if (!m.subject.includes("Delivery report")) return null;
  const lines = linesFrom(fillet(m.body, /^Content-Type: text\/rfc822-headers/m)[0], (l) =>
    l.includes("Hello, this is the mail server on "),
  );
  const ds = new Deliveries();
  const categories: string[] = [];
  readFields(lines, ds, (line) => {
    const category = /^X-PowerMTA-BounceCategory:[ ]*(.+)$/.exec(line);
    if (category) categories[ds.list.length - 1] = category[1];
  });
  const list = ds.done();
  list?.forEach((d, i) => {
    d.reason = POWERMTA_CATEGORIES[categories[i] ?? ""] ?? "";
  });
  return list;
};

/** Symantec MessageLabs: "Mail Delivery Failure". */
export const messageLabs: MtaReader = (m) => {
  if (!m.mail.headers.has("x-msg-ref")) return null;
  if (!m.from.includes("MAILER-DAEMON@messagelabs.com")) return null;
  if (!m.subject.startsWith("Mail Delivery Failure")) return null;
  const lines = linesFrom(fillet(m.body, /^Content-Type: text\/rfc822-headers/m)[0], (l) =>
    l.startsWith("Content-Type: message/delivery-status"),
  );
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) {
    if (/542 .+ Rejected|No such user/.test(d.diagnostic)) d.reason = "userunknown";
    else if (/Please turn on SMTP Authentication in your mail client/.test(d.diagnostic)) {
      d.reason = "securityerror";
    }
  }
  return list;
};

/** Trustwave (Marshal) MailMarshal SMTP: "Undeliverable Mail: "…"". */
export const mailMarshal: MtaReader = (m) => {
  if (!m.subject.startsWith('Undeliverable Mail: "')) return null;
  const lines = linesFrom(m.mail.text, (l) => l.startsWith("Your message:"));
  const ds = new Deliveries();
  let endOfError = false;
  for (const line of lines) {
    const rcpt = /^[ \t]{4}([^ ]+@[^ ]+)$/.exec(line);
    const d = ds.current;
    if (rcpt) ds.add(rcpt[1]);
    else if (line === "Could not be delivered because of") d.diagnostic = line;
    else if (d.diagnostic && !endOfError) {
      if (line.startsWith("The following recipients were affected:")) endOfError = true;
      else d.diagnostic += ` ${line}`;
    } else {
      const host = /^Reporting-MTA:[ \t]+<(.+)>$/.exec(line);
      if (host) d.rhost = host[1];
    }
  }
  return ds.done();
};
