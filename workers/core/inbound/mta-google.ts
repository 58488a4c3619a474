import { header } from "./message";
import { type MtaReader, sweep } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import { findReply, findStatus } from "./smtp-codes";

// Readers of Google's bounces, after sisimai's Sisimai::Lhost::GSuite
// (libsisimai-perl 4.25.15, BSD 2-clause).

const GSUITE_PHRASES: PhraseTable = [
  [
    "userunknown",
    ["because the address couldn't be found. Check for typos or unnecessary spaces and try again."],
  ],
  ["notaccept", ["Null MX"]],
  ["networkerror", [" had no relevant answers.", " responded with code NXDOMAIN"]],
];

/** Google Workspace (G Suite) delivery status notifications. */
export const gSuite: MtaReader = (m) => {
  if (!m.from.includes("<mailer-daemon@googlemail.com>")) return null;
  if (!m.subject.includes("Delivery Status Notification")) return null;
  if (!header(m.mail, "x-gm-message-state")) return null;
  const body = m.body.split(/^Content-Type: (?:message\/rfc822|text\/rfc822-headers)/m)[0];
  const lines = linesFrom(body, (l) => /^\*\* .+ \*\*$/.test(l));
  const ds = new Deliveries();
  let another = "";
  let endOfError = false;
  let emptyLines = 0;
  readFields(lines, ds, (line) => {
    const d = ds.current;
    if (!endOfError && d.diagnostic) {
      if (line === "") endOfError = true;
      else d.diagnostic += line;
    } else if (/^The response( from the remote server)? was:$/.test(line)) {
      another += line;
    } else if (!line.startsWith("Content-Type:")) {
      if (another) {
        if (emptyLines > 5) return;
        if (!line) emptyLines++;
        else another += ` ${line}`;
      } else if (/^\*\* .+ \*\*$/.test(line)) {
        another = line;
      }
    }
  });
  const list = ds.done();
  for (const d of list ?? []) {
    if (another) {
      d.diagnostic ||= another;
      if (/^\d+$/.test(d.diagnostic)) d.diagnostic = another;
      else {
        let status = "";
        let reply = "";
        if (["", "5.0.0", "4.0.0"].includes(d.status)) {
          status = findStatus(another);
          if (status && !status.endsWith(".0.0")) d.status = status;
        }
        if (["", "500", "400"].includes(d.replyCode)) {
          reply = findReply(another);
          if (reply && !reply.endsWith("00")) d.replyCode = reply;
        }
        if (status || (reply && another.length > d.diagnostic.length)) d.diagnostic = another;
      }
    }
    d.diagnostic = sweep(d.diagnostic);
    d.reason = phraseReason(GSUITE_PHRASES, d.diagnostic);
  }
  return list;
};
