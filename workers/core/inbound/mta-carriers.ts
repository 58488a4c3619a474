import { header } from "./message";
import { applyField, dsnField, fillet, type MtaReader } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import type { BounceReason } from "./types";

// Readers of mobile carriers', webmail providers' and Lotus servers' bounces, after
// sisimai's Sisimai::Lhost::KDDI, ::EZweb, ::Verizon, ::Yahoo, ::GMX, ::Domino and ::Notes
// (libsisimai-perl 4.25.15, BSD 2-clause).

const RFC822 = /^Content-Type: message\/rfc822/im;
const received = (m: Parameters<MtaReader>[0]) => m.mail.headers.get("received") ?? [];

const KDDI_PHRASES: PhraseTable = [
  ["mailboxfull", ["As their mailbox is full"]],
  ["norelaying", ["Due to the following SMTP relay error"]],
  ["hostunknown", ["As the remote domain doesnt exist"]],
];

/** au by KDDI (ezweb.ne.jp, dion.ne.jp). */
export const kddi: MtaReader = (m) => {
  const match =
    /no-reply@.+\.dion\.ne\.jp/.test(m.from) ||
    header(m.mail, "reply-to") === "no-reply@app.auone-net.jp" ||
    received(m).some((r) => r.includes("ezweb.ne.jp (") || r.includes(".au.com ("));
  if (!match) return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) =>
    /^Your mail (?:sent on:? [A-Z][a-z]{2},|attempted to be delivered on:? [A-Z][a-z]{2},)/.test(l),
  );
  const ds = new Deliveries();
  for (const line of lines) {
    if (!line) continue;
    const rcpt = /^[ \t]+Could not be delivered to: <([^ ]+@[^ ]+)>/.exec(line);
    if (rcpt) ds.add(rcpt[1]);
    else if (/^[ \t]+/.test(line) && !/Your mail sent on: /.test(line)) {
      ds.current.diagnostic += `${line} `;
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    d.reason =
      header(m.mail, "x-spasign") === "NG" ? "filtered" : phraseReason(KDDI_PHRASES, d.diagnostic);
  }
  return list;
};

/** Verizon Wireless (vtext.com, vzwpix.com). */
export const verizon: MtaReader = (m) => {
  if (!received(m).some((r) => r.includes(".vtext.com ("))) return null;
  const from = m.from.trim();
  const text = m.mail.text;
  const ds = new Deliveries();
  if (from === "post_master@vtext.com") {
    const lines = linesFrom(text, (l) => /^Error:[ \t]/.test(l));
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const rcpt = /^[ \t]+RCPT TO: (.*)$/.exec(line);
      if (rcpt) ds.add(rcpt[1]);
      else if (/^\d{3}[ \t]-[ \t].*$/.test(line)) ds.current.diagnostic = line;
    }
    const list = ds.done();
    for (const d of list ?? []) {
      if (d.diagnostic.includes("550 - Requested action not taken: no such user here")) {
        d.reason = "userunknown";
      }
    }
    return list;
  }
  if (!/<?sysadmin@.+\.vzwpix\.com>?$/.test(from)) return null;
  const lines = linesFrom(text, (l) => l.startsWith("Message could not be delivered to mobile"));
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^To:[ \t]+(.*)$/.exec(line);
    const error = /^Error:[ \t]+(.+)$/.exec(line);
    if (rcpt) ds.add(rcpt[1]);
    else if (error) ds.current.diagnostic = line;
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (d.diagnostic.includes("No valid recipients for this MM")) d.reason = "userunknown";
  }
  return list;
};

/** Yahoo! Mail: "Sorry, we were unable to deliver your message…". */
export const yahoo: MtaReader = (m) => {
  if (!header(m.mail, "x-ymailisg")) return null;
  const lines = linesFrom(
    fillet(m.body, /^--- Below this line is a copy of the message\./m)[0],
    (l) => l.startsWith("Sorry, we were unable to deliver your message"),
  );
  const ds = new Deliveries();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^<(.+@.+)>:[ \t]*$/.exec(line);
    const d = ds.current;
    if (rcpt) ds.add(rcpt[1]);
    else if (line.startsWith("Remote host said:")) {
      d.diagnostic = line;
      d.command = /\[([A-Z]{4}).*\]$/.exec(line)?.[1] ?? d.command;
    } else if (d.diagnostic === "Remote host said:") {
      const command = /\[([A-Z]{4}).*\]$/.exec(line);
      if (command) d.command = command[1];
      else d.diagnostic = line;
    } else {
      d.diagnostic += ` ${line}`;
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (!d.command && /<.+@.+>/.test(d.diagnostic)) d.command = "RCPT";
  }
  return list;
};

const DOMINO_PHRASES: PhraseTable = [
  [
    "userunknown",
    [
      "not listed in Domino Directory",
      "not listed in public Name & Address Book",
      "non répertorié dans l'annuaire Domino",
      "Domino ディレクトリには見つかりません",
    ],
  ],
  ["filtered", ["Cannot route mail to user"]],
  ["systemerror", ["Several matches found in Domino Directory"]],
];

/** IBM Domino: "Your message … was not delivered to: … because: …". */
export const domino: MtaReader = (m) => {
  if (!/^DELIVERY(?: |_)FAILURE:/.test(m.subject)) return null;
  const lines = linesFrom(fillet(m.body, RFC822)[0], (l) => l.startsWith("Your message"));
  const ds = new Deliveries();
  let because = false;
  readFields(lines.slice(1), ds, (line) => {
    if (!line) return;
    const address = /^ {2}([^ ]+@[^ ]+)$/.exec(line);
    if (line === "was not delivered to:") ds.add(line);
    else if (address) ds.current.recipient = address[1].toLowerCase();
    else if (line === "because:") because = true;
    else if (because) {
      ds.current.diagnostic = line;
      because = false;
    }
  });
  const list = ds.done();
  for (const d of list ?? []) d.reason = phraseReason(DOMINO_PHRASES, d.diagnostic);
  return list;
};

const NOTES_PHRASES: PhraseTable = [
  [
    "userunknown",
    ["User not listed in public Name & Address Book", "ディレクトリのリストにありません"],
  ],
  ["networkerror", ["Message has exceeded maximum hop count"]],
];

/** Lotus Notes: "------- Failure Reasons --------". */
export const notes: MtaReader = (m) => {
  if (!m.subject.startsWith("Undeliverable message")) return null;
  const [report, returned] = fillet(m.body, /^------- Returned Message --------/m);
  const lines = linesFrom(report, (l) => l.startsWith("------- Failure Reasons "));
  const ds = new Deliveries();
  for (const line of lines.slice(1)) {
    if (/^[^ ]+@[^ ]+/.test(line)) ds.add(line);
    else if (line && !line.startsWith("-")) ds.current.diagnostic += line;
  }
  if (ds.recipients === 0) {
    const to = /^To:[ ]*(.+)$/m.exec(returned)?.[1];
    if (to) ds.add(to);
  }
  const list = ds.done();
  for (const d of list ?? []) d.reason = phraseReason(NOTES_PHRASES, d.diagnostic);
  return list;
};

/** GMX (and web.de's sibling): "This message was created automatically by mail delivery software". */
export const gmx: MtaReader = (m) => {
  if (!m.mail.headers.has("x-gmx-antispam")) return null;
  const report = fillet(m.body, /^--- The header of the original message is following\. ---/m)[0];
  const lines = linesFrom(report, (l) =>
    l.startsWith("This message was created automatically by mail delivery software"),
  );
  const ds = new Deliveries();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^"([^ ]+@[^ ]+)":$/.exec(line) ?? /^<([^ ]+@[^ ]+)>$/.exec(line);
    const command = /^SMTP error .+ ([A-Z]{4}) command:$/.exec(line);
    const host = /^host:[ \t]*(.+)$/.exec(line);
    const d = ds.current;
    if (rcpt) ds.add(rcpt[1]);
    else if (command) d.command = command[1];
    else if (host) d.rhost = host[1];
    else if (/\b[45]\.\d\.\d\b|<[^ ]+@[^ ]+>|\b[45]\d{2}\b/.test(line)) d.diagnostic ||= line;
    else if (line === "Reason:" || d.diagnostic === "Reason:") d.diagnostic = line;
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (d.diagnostic.includes("delivery retry timeout exceeded")) d.reason = "expired";
  }
  return list;
};

const EZWEB_FAILURES: [BounceReason, RegExp][] = [
  ["mailboxfull", /The user\(s\) account is temporarily over quota/],
  ["suspend", /The user\(s\) account is disabled\.|The user\(s\) account is temporarily limited\./],
  ["expired", /Your message was not delivered within /],
  ["onhold", /Each of the following recipients was rejected by a remote mail server/],
];

/** au (EZweb) by KDDI: "Mail System Error - Returned Mail". */
export const ezweb: MtaReader = (m) => {
  const messageId = header(m.mail, "message-id");
  const checks = [
    m.from.includes("Postmaster@ezweb.ne.jp"),
    m.from.includes("Postmaster@au.com"),
    m.subject === "Mail System Error - Returned Mail",
    received(m).some((r) => r.includes("ezweb.ne.jp (EZweb Mail) with")),
    received(m).some((r) => r.includes(".au.com (")),
    messageId.endsWith(".ezweb.ne.jp>"),
    messageId.endsWith(".au.com>"),
  ];
  if (checks.filter(Boolean).length < 2) return null;
  const report = fillet(m.body, /^(?:-{50}|Content-Type: *message\/rfc822)/m)[0];
  const lines = linesFrom(report, (l) =>
    /^(?:The user\(s\) |Your message |Each of the following|<[^ ]+@[^ ]+>$)/.test(l),
  );
  const ds = new Deliveries();
  const alt: string[] = [];
  for (const line of lines) {
    if (!line) continue;
    const rcpt =
      /^<([^ ]+@[^ ]+)>$/.exec(line) ??
      /^<([^ ]+@[^ ]+)>:?(.*)$/.exec(line) ??
      /^[ \t]+Recipient: <([^ ]+@[^ ]+)>/.exec(line);
    const f = rcpt ? null : dsnField(line);
    if (rcpt) ds.add(rcpt[1]);
    else if (f) applyField(ds.current, f);
    else if (/[^ -~\t]/.test(line)) continue;
    else if (/^[ \t]+>>>[ \t]+([A-Z]{4})/.test(line)) {
      ds.current.command = /^[ \t]+>>>[ \t]+([A-Z]{4})/.exec(line)?.[1] ?? "";
    } else if (EZWEB_FAILURES.some(([, re]) => re.test(line))) {
      ds.current.diagnostic += ` ${line}`;
    } else {
      const i = ds.list.length - 1;
      alt[i] = `${alt[i] ?? ""} ${line}`;
    }
  }
  const list = ds.done();
  list?.forEach((d, i) => {
    const more = alt[i]?.trim() ?? "";
    if (more) {
      d.diagnostic ||= more;
      if (d.diagnostic.startsWith("-") || d.diagnostic.endsWith("__")) d.diagnostic = more;
    }
    if (header(m.mail, "x-spasign") === "NG") d.reason = "filtered";
    else if (d.command === "RCPT") d.reason = "userunknown";
    else d.reason = EZWEB_FAILURES.find(([, re]) => re.test(d.diagnostic))?.[0] ?? "";
    if (!d.reason && !/@(?:ezweb\.ne\.jp|au\.com)$/.test(d.recipient)) d.reason = "userunknown";
  });
  return list;
};
