/**
 * Real RFC 822 mail of the kinds that come back, built for local development ("Simulate
 * reply / out-of-office / bounce" in the Email Log) and for tests: the same bytes Email
 * Routing would hand the `email` handler.
 */

export type SampleBase = {
  /** Who writes: a prospect, their mail server, an autoresponder. */
  from: string;
  /** Where it goes: a reply+ or sync+ address. */
  to: string;
  subject: string;
  /** Our Message-ID of the email being answered, with angle brackets. */
  inReplyTo?: string | null;
  references?: string[];
  date?: Date;
  messageId?: string;
  headers?: Record<string, string>;
};

const CRLF = "\r\n";

function header(name: string, value: string) {
  return `${name}: ${value.replace(/[\r\n]+/g, " ")}`;
}

function envelope(s: SampleBase, contentType: string): string[] {
  const domain = s.from.split("@")[1]?.replace(/>.*$/, "") ?? "example.org";
  const lines = [
    header("From", s.from),
    header("To", s.to),
    header("Subject", s.subject),
    header("Date", (s.date ?? new Date()).toUTCString()),
    header("Message-ID", s.messageId ?? `<${crypto.randomUUID()}@${domain}>`),
    header("MIME-Version", "1.0"),
    header("Content-Type", contentType),
  ];
  if (s.inReplyTo) lines.push(header("In-Reply-To", s.inReplyTo));
  const refs = s.references ?? (s.inReplyTo ? [s.inReplyTo] : []);
  if (refs.length > 0) lines.push(header("References", refs.join(" ")));
  for (const [k, v] of Object.entries(s.headers ?? {})) lines.push(header(k, v));
  return lines;
}

/** A person's reply, with the quoted original below as mail apps write it. */
export function sampleReply(s: SampleBase & { text: string; quoted?: string }): string {
  const quote = s.quoted
    ? `${CRLF}${CRLF}On ${new Date().toUTCString()}, Beacon wrote:${CRLF}${s.quoted
        .split(/\r?\n/)
        .map((l) => `> ${l}`)
        .join(CRLF)}`
    : "";
  return [...envelope(s, "text/plain; charset=utf-8"), "", `${s.text}${quote}`, ""].join(CRLF);
}

/** An out-of-office autoresponse; `withHeaders` adds RFC 3834's Auto-Submitted. */
export function sampleOutOfOffice(s: SampleBase & { text: string; withHeaders: boolean }): string {
  const headers = s.withHeaders
    ? { "Auto-Submitted": "auto-replied", "X-Autoreply": "yes", ...(s.headers ?? {}) }
    : (s.headers ?? {});
  return [...envelope({ ...s, headers }, "text/plain; charset=utf-8"), "", s.text, ""].join(CRLF);
}

/** An RFC 3464 delivery status notification for one recipient of our message. */
export function sampleBounce(
  s: Omit<SampleBase, "subject"> & {
    recipient: string;
    status: string;
    diagnostic: string;
    /** The original's headers as we sent them (Message-ID, References…). */
    original: { messageId: string; references?: string[]; subject: string; from: string };
  },
): string {
  const boundary = `b${crypto.randomUUID().replace(/-/g, "")}`;
  const action = s.status.startsWith("5") ? "failed" : "delayed";
  const human = [
    "This is the mail system at the receiving host.",
    "",
    "I'm sorry to have to inform you that your message could not",
    "be delivered to one or more recipients.",
    "",
    `<${s.recipient}>: ${s.diagnostic}`,
  ].join(CRLF);
  const report = [
    "Reporting-MTA: dns; mx.example.org",
    "",
    `Final-Recipient: rfc822; ${s.recipient}`,
    `Action: ${action}`,
    `Status: ${s.status}`,
    `Diagnostic-Code: smtp; ${s.diagnostic}`,
  ].join(CRLF);
  const original = [
    header("From", s.original.from),
    header("To", s.recipient),
    header("Subject", s.original.subject),
    header("Message-ID", s.original.messageId),
    ...(s.original.references ? [header("References", s.original.references.join(" "))] : []),
  ].join(CRLF);
  const head = envelope(
    {
      ...s,
      subject: "Undelivered Mail Returned to Sender",
      headers: { "Auto-Submitted": "auto-replied", ...(s.headers ?? {}) },
    },
    `multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  );
  return [
    ...head,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=us-ascii",
    "",
    human,
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    report,
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    original,
    `--${boundary}--`,
    "",
  ].join(CRLF);
}
