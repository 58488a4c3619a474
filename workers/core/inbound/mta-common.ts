import { header, type Mail } from "./message";
import type { Delivery } from "./reason";

/** What an MTA-specific reader gets: the bounce's headers and its text, flattened. */
export type MtaInput = {
  mail: Mail;
  /** The decoded Subject. */
  subject: string;
  /** The raw From header. */
  from: string;
  /**
   * The body as sisimai reads it: the text parts, then each report or returned-message
   * part introduced by its "Content-Type:" line. LF line endings.
   */
  body: string;
};

/** A reader for one MTA's bounces: its failed deliveries, or null when it is not its format. */
export type MtaReader = (m: MtaInput) => Delivery[] | null;

/** A delivery with nothing known yet. */
export function newDelivery(): Delivery {
  return {
    recipient: "",
    action: "",
    status: "",
    replyCode: "",
    diagnostic: "",
    diagnosticType: "",
    command: "",
    rhost: "",
    reason: "",
  };
}

/** The flattened body of a message (see MtaInput.body). */
export function flatBody(mail: Mail): string {
  let body = mail.text;
  for (const part of mail.parts) {
    const label = part.mimeType === "text/plain" ? "" : `Content-Type: ${part.mimeType}\n`;
    body += `\n${label}${part.text}`;
  }
  return body;
}

/**
 * The input of the MTA readers for a message. A forwarded bounce ("Fwd: Returned mail…")
 * is read as the bounce it quotes, as sisimai does: prefix and quote marks removed.
 */
export function mtaInput(mail: Mail): MtaInput {
  const forwarded = /^\s*fwd?:\s*(.*)$/i.exec(mail.subject);
  const body = flatBody(mail);
  return {
    mail,
    subject: forwarded ? forwarded[1] : mail.subject,
    from: header(mail, "from"),
    body: forwarded ? body.replace(/^>+ /gm, "").replace(/^>$/gm, "") : body,
  };
}

/** The body above the first line matching `marker` (sisimai's fillet), and the rest. */
export function fillet(body: string, marker: RegExp): [string, string] {
  const m = marker.exec(body);
  return m ? [body.slice(0, m.index), body.slice(m.index)] : [body, ""];
}

// The command in capitals, as MTAs write it ("in reply to RCPT TO command", "after end of
// DATA", ">>> RCPT To:"): lower-case "to data" in a sentence is not one.
const SMTP_COMMAND =
  /\b(?:[Ii]n reply to|[Aa]fter|[Ii]n|to|while sending|during) (?:end of )?(?:the )?(RCPT|MAIL|DATA|HELO|EHLO|CONN)\b|>>> ?(RCPT|MAIL|DATA|HELO|EHLO)\b/;

/** The SMTP command a text says the failure answered, upper-case, or "". */
export function commandIn(text: string): string {
  const m = SMTP_COMMAND.exec(text);
  return (m?.[1] ?? m?.[2] ?? "").toUpperCase();
}

/**
 * The host that wrote the bounce, from its oldest Received header ("by" part), for when
 * the report names no remote MTA (sisimai does the same).
 */
export function receivingHost(mail: Mail): string {
  const received = mail.headers.get("received");
  const oldest = received?.[received.length - 1] ?? "";
  if (/qmail\s+.+invoked\s+/.test(oldest)) return "";
  return /\bby\s+([^\s;]+)/.exec(oldest)?.[1].replace(/[()[\];?]/g, "") ?? "";
}

/** A "Name: type; value" field of RFC 3464 (RFC 1894), lower-cased name, or null. */
export type DsnField = { name: string; type: string; value: string; perMessage: boolean };

const PER_MESSAGE = /^(?:Reporting-MTA|Received-From-MTA|Arrival-Date|X-Original-Message-ID):/;
const PER_RECIPIENT =
  /^(?:Original-Recipient|Final-Recipient|Action|Status|Remote-MTA|Diagnostic-Code|Last-Attempt-Date|X-Actual-Recipient):/;
const ACTION_SYNONYMS: Record<string, string> = {
  deliverable: "delivered",
  expired: "delayed",
  failure: "failed",
};

/** Reads one line as a delivery-status field (sisimai's Sisimai::RFC1894). */
export function dsnField(line: string): DsnField | null {
  const perMessage = PER_MESSAGE.test(line);
  if (!perMessage && !PER_RECIPIENT.test(line)) return null;
  const colon = line.indexOf(":");
  const name = line.slice(0, colon).toLowerCase();
  const rest = line.slice(colon + 1).trim();
  if (/recipient$|-mta$|^diagnostic-code$/.test(name)) {
    const m = /^(.+?);\s*(.*)$/.exec(rest);
    if (!m) return null;
    const value = name.endsWith("-mta") ? m[2].toLowerCase() : m[2];
    return { name, type: m[1].toUpperCase(), value: /^\s+$/.test(value) ? "" : value, perMessage };
  }
  if (name === "action") {
    const m = /^(delayed|deliverable|delivered|expanded|expired|failed|failure|relayed)/i.exec(
      rest,
    );
    if (!m) return null;
    const value = m[1].toLowerCase();
    return { name, type: "", value: ACTION_SYNONYMS[value] ?? value, perMessage };
  }
  if (name === "status") {
    const m = /^([245]\.\d+\.\d+)/.exec(rest);
    return m ? { name, type: "", value: m[1], perMessage } : null;
  }
  return { name, type: "", value: rest, perMessage };
}

/** Sets a delivery-status field on a delivery (sisimai's FIELDTABLE). */
export function applyField(d: Delivery, f: DsnField): void {
  switch (f.name) {
    case "action":
      d.action = f.value;
      break;
    case "status":
      d.status = f.value;
      break;
    case "remote-mta":
    case "reporting-mta":
      d.rhost = f.value;
      break;
    case "diagnostic-code":
      d.diagnosticType = f.type;
      d.diagnostic = f.value;
      break;
  }
}

/** An address without brackets, quotes or a "mailto:", lower-cased. */
export function cleanAddress(raw: string): string {
  const inner = /<([^<>]+@[^<>]+)>/.exec(raw)?.[1] ?? raw;
  return inner
    .replace(/^mailto:/i, "")
    .replace(/^["'<(\s]+|["'>)\s.,;:]+$/g, "")
    .toLowerCase();
}

/** Collapses runs of white space and trims. */
export function sweep(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
