import type { Mail } from "./message";
import { commandIn, newDelivery, receivingHost } from "./mta-common";
import type { Delivery } from "./reason";

/** Senders that are mail systems, not people. */
const DAEMON_FROM = /^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|root|mdaemon)@/i;
const DAEMON_NAME = /mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster/i;

/** Subjects MTAs give their non-delivery reports. */
const BOUNCE_SUBJECT =
  /undeliver|undelivered mail|delivery (?:status notification|failure|failed|has failed|report|problem)|returned mail|failure notice|mail delivery (?:failed|failure|system)|non[- ]?delivery|failed delivery|delivery notification|could not be delivered|mail system error|rejected:|message not delivered|permanent delivery failure|nondeliverable|warning: could not send|mail could not be delivered/i;

/** Where the returned message begins: nothing below it is the MTA's report. */
const ORIGINAL_STARTS =
  /^(?:content-type: (?:message\/rfc822|text\/rfc822-headers)|return-path: ?<|-+ ?(?:original message|this is a copy of|below this line is a copy|the header of the original message|original message header|message headers? follows?|received message|undelivered message)|original message follows|the original message (?:is|was) attached|a copy of the original message below|below is a copy of the original message|your message reads \(in part\)|(?:----- )?unsent message below|the non-delivered message is attached|--- below this line is a copy of the message)/i;

const ADDRESS = /<?([^\s<>()"'[\]@=:;,]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+)>?/i;

/** A person's answer to something: "Re:", "AW:", "SV:", "Antw:", "RE :"… (a forward is read). */
const ANSWER = /^\s*(?:re|aw|sv|vs|antw|rv|r)\s*(?:\[\d+\])?\s*:/i;

/**
 * Whether a message looks like a non-standard bounce (no RFC 3464 report): it comes from
 * a mail system, or its subject is an MTA's (and not a person's "Re:" to one).
 */
export function looksLikeBounce(mail: Mail): boolean {
  if (DAEMON_FROM.test(mail.from) || DAEMON_NAME.test(mail.fromName)) return true;
  return !ANSWER.test(mail.subject) && BOUNCE_SUBJECT.test(mail.subject);
}

/** The headers of the returned message quoted in a bounce's text, as a block, or "". */
export function quotedOriginal(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => ORIGINAL_STARTS.test(l.trim()));
  if (start < 0) return "";
  const first = lines.findIndex((l, i) => i >= start && /^[\w-]+:\s/.test(l));
  return first < 0 ? "" : lines.slice(first, first + 200).join("\n");
}

/** The MTA's own words: the body above the returned message. */
export function reportText(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (ORIGINAL_STARTS.test(line.trim())) break;
    out.push(line);
  }
  return out;
}

/**
 * The failed delivery a non-standard bounce describes, read from its words: the first
 * recipient address it names and the lines around it.
 */
export function readMtaText(mail: Mail): Delivery | null {
  if (!looksLikeBounce(mail)) return null;
  const lines = reportText(mail.text);
  const sender = new Set(mail.to);
  let recipient = "";
  let at = -1;
  for (let i = 0; i < lines.length && !recipient; i++) {
    const m = ADDRESS.exec(lines[i]);
    if (m && !sender.has(m[1].toLowerCase()) && !DAEMON_FROM.test(m[1])) {
      recipient = m[1].toLowerCase();
      at = i;
    }
  }
  // A mail system's message that names no recipient and no failure reports nothing.
  if (!recipient && !BOUNCE_SUBJECT.test(mail.subject)) return null;
  const diagnostic = (at >= 0 ? lines.slice(at) : lines).join(" ");
  return {
    ...newDelivery(),
    recipient,
    diagnostic,
    command: commandIn(diagnostic),
    rhost: receivingHost(mail),
  };
}
