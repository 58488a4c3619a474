import { autoReplyOf } from "./auto-reply";
import { failureOf } from "./bounce";
import { judge } from "./judge";
import { header, type Mail, readMail } from "./message";
import { quotedOriginal } from "./mta-text";
import { blankVerdict } from "./outcome";
import { feedbackOf, originalOf, originalPart } from "./reports";
import type { MailKind, Original, Verdict } from "./types";

/** Senders that are systems: what they send is never a person's reply. */
const SYSTEM_SENDER =
  /^(?:(?:mailer-daemon|postmaster|mail-daemon|bounces?)[@+]|[^@]*(?:no-?reply|do-?not-?reply|donotreply)[^@]*@)/i;

/** Subjects of delay warnings: the MTA will keep trying. */
const DELAY_SUBJECT =
  /^(?:Warning: (?:message .+ delayed|could not send message for past)|Warning--Could not send mail for past|(?:Mail )?Delivery Status Notification \((?:Delay|Mail Delivery Delayed)\)|Delivery status notification: (?:delayed|warning)|Delayed Mail \(still being retried\)|Delivery Notification: Delivery has been delayed|WARNING: delayed mail)/i;

/** An RFC 5322 field name: printable ASCII but the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

function base(mail: Mail, kind: MailKind): Verdict {
  return {
    kind,
    bounce: null,
    outOfOffice: false,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    from: mail.from || null,
    to: mail.to,
    subject: mail.subject,
    date: mail.date,
    original: null,
    text: mail.text,
    problem: null,
  };
}

/** The returned message's ids: from its attached headers, else from its quoted ones. */
function originalIds(mail: Mail): Original | null {
  const part = originalPart(mail);
  if (part) return originalOf(part.text);
  const quoted = quotedOriginal(mail.text);
  return quoted ? originalOf(quoted) : null;
}

/**
 * Classifies one inbound message (raw RFC 822, any line endings): delivery and complaint
 * reports first (RFC 3464 / ARF, then the common non-standard MTA formats — a report
 * often carries Auto-Submitted too), then automatic replies (headers, subject, wording),
 * else a person's reply. Never throws: a message it cannot read is `other` with `problem`.
 */
export async function classifyMail(raw: Uint8Array | ArrayBuffer | string): Promise<Verdict> {
  let mail: Mail;
  try {
    mail = await readMail(raw);
  } catch (error) {
    return unreadable(error instanceof Error ? error.message : String(error));
  }
  if (![...mail.headers.keys()].some((name) => FIELD_NAME.test(name))) {
    return unreadable("no RFC 822 header");
  }
  return classifyParsed(mail);
}

/** The verdict on a message already parsed by readMail. */
export function classifyParsed(mail: Mail): Verdict {
  if (feedbackOf(mail)) return { ...base(mail, "complaint"), original: originalIds(mail) };
  const failure = failureOf(mail);
  if (failure && "delivery" in failure) {
    const delayed = failure.delivery.action === "delayed" || DELAY_SUBJECT.test(mail.subject);
    const bounce = { ...judge(failure.delivery), delayed };
    return { ...base(mail, "bounce"), bounce, original: originalIds(mail) };
  }
  // A report that everything was delivered, a read receipt: nothing to act on.
  if (failure || mail.contentType === "multipart/report") {
    return { ...base(mail, "other"), original: originalIds(mail) };
  }
  const auto = autoReplyOf(mail);
  if (auto) return { ...base(mail, "auto_reply"), outOfOffice: auto.outOfOffice };
  if (!mail.from || SYSTEM_SENDER.test(mail.from) || header(mail, "list-id")) {
    return base(mail, "other");
  }
  return base(mail, "reply");
}

function unreadable(problem: string): Verdict {
  return blankVerdict("other", { problem: `unparsable: ${problem}` });
}
