import { header } from "./message";
import { fillet, type MtaReader, sweep } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import { findReply, findStatus } from "./smtp-codes";

// Readers of the Unix MTAs' bounces, after sisimai's Sisimai::Lhost::Postfix and ::qmail
// (libsisimai-perl 4.25.15, BSD 2-clause).

const POSTFIX_START =
  /^(?: +The (?:Postfix (?:program|on .+ program)|\w+ Postfix program|mail[ \t]system|\w+[ \t]program)$|This is the (?:Postfix program|\w+ Postfix program|\w+ program|mail system at host))/;

/** Postfix: "Undelivered Mail Returned to Sender". */
export const postfix: MtaReader = (m) => {
  if (m.subject !== "Undelivered Mail Returned to Sender") return null;
  if (header(m.mail, "x-aol-ip")) return null;
  const [report, returned] = fillet(
    m.body,
    /^Content-Type: (?:message\/rfc822|text\/rfc822-headers)/m,
  );
  const lines = linesFrom(report, (l) => POSTFIX_START.test(l));
  const ds = new Deliveries();
  const commands: string[] = [];
  const another = { recipient: "", diagnostic: "" };
  let unavailable = false;
  readFields(lines.slice(1), ds, (line) => {
    if (!line) return;
    const command =
      /[ \t]\(in reply to (?:end of )?([A-Z]{4}).*/.exec(line) ??
      /([A-Z]{4})[ \t]*.*command\)$/.exec(line);
    const expanded = /^<([^ ]+@[^ ]+)> \(expanded from <(.+)>\):[ \t]*(.+)$/.exec(line);
    const said = /^<([^ ]+@[^ ]+)>:(.*)$/.exec(line);
    if (command) {
      commands.push(command[1]);
      if (another.diagnostic) another.diagnostic += ` ${line}`;
    } else if (expanded) {
      another.recipient = expanded[1];
      another.diagnostic = expanded[3];
    } else if (said) {
      another.recipient = said[1];
      another.diagnostic = said[2];
    } else if (line.includes("--- Delivery report unavailable ---")) {
      unavailable = true;
    } else if (another.diagnostic && /^[ \t]{4}(.+)$/.test(line)) {
      another.diagnostic += ` ${line}`;
    }
  });
  if (ds.recipients === 0) {
    if (another.recipient) ds.add(another.recipient);
    else {
      const to = unavailable ? /^To:[ ]*(.+)/m.exec(returned)?.[1] : undefined;
      if (to) ds.add(to);
    }
  }
  const list = ds.done();
  for (const d of list ?? []) {
    if (d.diagnosticType === "X-POSTFIX") d.diagnosticType = "SMTP";
    if (another.diagnostic) {
      d.diagnostic ||= another.diagnostic;
      if (/^\d+$/.test(d.diagnostic)) d.diagnostic = another.diagnostic;
      else {
        let status = "";
        let reply = "";
        if (d.status === "" || d.status.endsWith(".0.0")) {
          status = findStatus(another.diagnostic);
          if (status && !status.endsWith(".0.0")) d.status = status;
        }
        if (d.replyCode === "" || d.replyCode.endsWith("00")) {
          reply = findReply(another.diagnostic);
          if (reply && !reply.endsWith("00")) d.replyCode = reply;
        }
        if (status || (reply && another.diagnostic.length > d.diagnostic.length)) {
          d.diagnostic = another.diagnostic;
        }
      }
    }
    d.diagnostic = sweep(d.diagnostic);
    d.command = commands.shift() ?? "";
    if (!d.command && /refused to talk to me:/.test(d.diagnostic)) d.command = "HELO";
    if (!d.diagnosticType && /host .+ said:/.test(d.diagnostic)) d.diagnosticType = "SMTP";
  }
  return list;
};

const QMAIL_COMMANDS: [RegExp, string][] = [
  [/(?:Error:)?Connected to [^ ]+ but greeting failed\./, "CONN"],
  [/(?:Error:)?Connected to [^ ]+ but my name was rejected\./, "EHLO"],
  [/(?:Error:)?Connected to [^ ]+ but sender was rejected\./, "MAIL"],
  [/(?:Error:)?[^ ]+ does not like recipient\./, "RCPT"],
  [
    /(?:Error:)?[^ ]+ failed on DATA command\.|(?:Error:)?[^ ]+ failed after I sent the message\./,
    "DATA",
  ],
];
const QMAIL_LDAP: PhraseTable = [
  ["suspend", ["Mailaddress is administrative?le?y disabled"]],
  ["userunknown", ["Sorry, no mailbox here by that name"]],
  ["exceedlimit", ["The message exeeded the maximum size the user accepts"]],
  [
    "systemerror",
    [
      "Automatic homedir creator crashed",
      "Illegal value in LDAP attribute",
      "LDAP attribute is not given but mandatory",
      "Timeout while performing search on LDAP server",
      "Too many results returned but needs to be unique",
      "Permanent error while executing qmail-forward",
      "Temporary error in automatic homedir creation",
      "Temporary error while executing qmail-forward",
      "Temporary failure in LDAP lookup",
      "Unable to contact LDAP server",
      "Unable to login into LDAP server, bad credentials",
    ],
  ],
];
const QMAIL_PHRASES: PhraseTable = [
  ["userunknown", ["no mailbox here by that name", "does not like recipient."]],
  ["mailboxfull", ["disk quota exceeded"]],
  ["mesgtoobig", ["Message size exceeds fixed maximum message size:"]],
  ["hostunknown", ["Sorry, I couldn't find any host "]],
  ["systemfull", ["Requested action not taken: mailbox unavailable (not enough free space)"]],
  ["systemerror", ["bad interpreter: No such file or directory", "system error", "Unable to"]],
  [
    "networkerror",
    [
      "Sorry, I wasn't able to establish an SMTP connection",
      "Sorry, I couldn't find a mail exchanger or IP address",
      "Sorry. Although I'm listed as a best-preference MX or A for that host",
    ],
  ],
];
const QMAIL_HOST =
  /Giving up on ([^ ]+[0-9a-zA-Z])\.?$|Connected to ([-0-9a-zA-Z.]+[0-9a-zA-Z]) |remote host ([-0-9a-zA-Z.]+[0-9a-zA-Z]) said:/;

/** qmail: "Hi. This is the qmail-send program at …". */
export const qmail: MtaReader = (m) => {
  const invoked = /^\(qmail[ ]+\d+[ ]+invoked[ ]+(?:for[ ]+bounce|from[ ]+network)\)/;
  const match =
    m.subject === "failure notice" ||
    (m.mail.headers.get("received") ?? []).some((r) => invoked.test(r));
  if (!match) return null;
  const lines = linesFrom(
    fillet(m.body, /^--- Below this line is a copy of the message\./m)[0],
    (l) => l.startsWith("Hi. This is the qmail"),
  );
  const ds = new Deliveries();
  const alt: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^(?:To[ ]*:)?<(.+@.+)>:[ \t]*$/.exec(line);
    if (rcpt) {
      ds.add(rcpt[1]);
    } else if (ds.list.length === ds.recipients) {
      const d = ds.current;
      d.diagnostic += `${line} `;
      if (line.startsWith("Remote host said:")) alt[ds.list.length - 1] = line;
      if (!d.rhost) {
        const host = QMAIL_HOST.exec(line);
        if (host) d.rhost = host[1] ?? host[2] ?? host[3] ?? "";
      }
    }
  }
  const list = ds.done();
  list?.forEach((d, i) => {
    d.command =
      QMAIL_COMMANDS.find(([re]) => re.test(d.diagnostic))?.[1] ??
      /Sorry, no SMTP connection got far enough; most progress was ([A-Z]{4}) /.exec(
        d.diagnostic,
      )?.[1] ??
      "";
    if (d.command === "MAIL") d.reason = "rejected";
    else if (d.command === "HELO" || d.command === "EHLO") d.reason = "blocked";
    else if (
      /^[^ ]+ does not like recipient\.[ \t]+.+this message has been in the queue too long\.$/.test(
        d.diagnostic,
      )
    ) {
      d.reason = "onhold";
    } else {
      // sisimai reads "Remote host said:" alone when there is one.
      d.reason =
        phraseReason(QMAIL_PHRASES, alt[i] ?? d.diagnostic) ||
        phraseReason(QMAIL_LDAP, d.diagnostic) ||
        (d.diagnostic.includes("this message has been in the queue too long.") ? "expired" : "");
    }
    d.status = findStatus(d.diagnostic);
  });
  return list;
};
