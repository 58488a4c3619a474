import { sweep } from "./mta-common";
import { type Delivery, RETRIED, reasonOf } from "./reason";
import { reasonByRemoteHost } from "./rhost";
import { findReply, findStatus, softOrHard } from "./smtp-codes";
import type { Bounce } from "./types";

const COMMANDS = /^(?:EHLO|HELO|MAIL|RCPT|DATA|QUIT)$/;

/**
 * Codes quoted in the words beat the report's own fields (sisimai's Sisimai::Data): a
 * relaying MTA often reports "5.0.0" for what the remote server called "5.1.1". When the
 * words repeat their codes line after line ("550-5.7.1 … 550 5.7.1 …"), the codes go.
 */
function normalize(d: Delivery): Delivery {
  let { status, replyCode, diagnostic } = d;
  diagnostic = sweep(diagnostic);
  if (diagnostic) {
    const quoted = findStatus(diagnostic);
    const reply = findReply(diagnostic);
    if (/^[45]\.[1-9]\.[1-9]$/.test(quoted)) status = quoted;
    if (!replyCode) replyCode = reply;
    const repeats =
      (quoted ? countWord(diagnostic, quoted) : 0) + (reply ? countWord(diagnostic, reply) : 0);
    if (repeats > 2) {
      diagnostic = sweep(
        diagnostic
          .replace(/;? [45]\d\d[- ](?:[45]\.\d\.\d+)?/g, " ")
          .replace(/<html>.+<\/html>/i, ""),
      );
    }
  }
  return {
    ...d,
    status,
    replyCode,
    diagnostic,
    diagnosticType: d.diagnosticType || (d.reason === "mailererror" ? "X-UNIX" : "SMTP"),
    command: COMMANDS.test(d.command) ? d.command : "",
  };
}

function countWord(text: string, word: string): number {
  const escaped = word.replaceAll(".", "\\.");
  return text.match(new RegExp(`\\b${escaped}\\b`, "g"))?.length ?? 0;
}

/** The bounce a failed delivery amounts to: its reason, hard or soft, and its codes. */
export function judge(raw: Delivery): Omit<Bounce, "delayed"> {
  const d = normalize(raw);
  const settled = d.reason !== "" && !RETRIED.has(d.reason);
  const reason = (settled ? null : reasonByRemoteHost(d)) ?? reasonOf(d);
  return {
    class: softOrHard(reason, `${d.status} ${d.diagnostic}`.trim()),
    reason,
    recipient: d.recipient || null,
    status: d.status || null,
    diagnostic: d.diagnostic || null,
  };
}
