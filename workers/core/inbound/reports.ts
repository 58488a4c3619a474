import type { Mail, Part } from "./message";
import { messageIds } from "./message";
import { sesNotification } from "./mta-amazon";
import type { Original } from "./types";

/** The per-recipient fields of an RFC 3464 delivery status notification. */
export type DsnRecipient = {
  recipient: string;
  action: string;
  status: string;
  /** A "Status:" that carries a reply code and words instead of a code ("553 Too big"). */
  statusText: string;
  remoteMta: string;
  diagnosticType: string;
  diagnostic: string;
};

const DSN_TYPES = new Set([
  "message/delivery-status",
  "message/global-delivery-status",
  "message/x-delivery-status",
]);
const ORIGINAL_TYPES = new Set([
  "message/rfc822",
  "text/rfc822-headers",
  "message/rfc822-headers",
  "message/global",
  "message/global-headers",
  "message/partial",
]);

/** Header-style "Name: value" lines with their continuation lines joined. */
export function fieldLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (/^[ \t]/.test(line) && out.length > 0 && out[out.length - 1] !== "") {
      out[out.length - 1] += ` ${line.trim()}`;
    } else {
      out.push(line.trimEnd());
    }
  }
  return out;
}

/** "rfc822; <A@B.example>" → "a@b.example". */
function addressOf(value: string): string {
  const bare = value.includes(";") ? value.slice(value.indexOf(";") + 1) : value;
  return bare
    .trim()
    .replace(/^<|>$/g, "")
    .replace(/^["']|["']$/g, "")
    .toLowerCase();
}

const emptyRecipient = (): DsnRecipient => ({
  recipient: "",
  action: "",
  status: "",
  statusText: "",
  remoteMta: "",
  diagnosticType: "",
  diagnostic: "",
});

/** The recipients of a message/delivery-status body, one record each. */
export function parseDsn(text: string): DsnRecipient[] {
  const out: DsnRecipient[] = [];
  let current = emptyRecipient();
  let alias = "";
  let reportingMta = "";
  for (const line of fieldLines(text)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (name) {
      case "original-recipient":
        alias = addressOf(value);
        break;
      case "final-recipient": {
        const address = addressOf(value);
        if (current.recipient && current.recipient !== address) {
          out.push(current);
          current = emptyRecipient();
        }
        current.recipient = address.includes("@") ? address : alias || address;
        alias = "";
        break;
      }
      case "action": {
        const action = value.toLowerCase().split(/\s/)[0];
        current.action =
          action === "expired" ? "delayed" : action === "failure" ? "failed" : action;
        break;
      }
      case "status": {
        const code = /^\d\.\d{1,3}\.\d{1,3}/.exec(value)?.[0];
        if (code) current.status = code;
        else current.statusText = value;
        break;
      }
      case "remote-mta":
        current.remoteMta = value.replace(/^[^;]*;\s*/, "").toLowerCase();
        break;
      case "reporting-mta":
        reportingMta ||= value.replace(/^[^;]*;\s*/, "").toLowerCase();
        break;
      case "diagnostic-code": {
        const typed = /^([^;\s]+)\s*;\s*(.*)$/.exec(value);
        current.diagnosticType = typed ? typed[1].toUpperCase() : "";
        current.diagnostic = typed ? typed[2] : value;
        break;
      }
    }
  }
  if (current.recipient || current.status || current.diagnostic) out.push(current);
  for (const r of out) r.remoteMta ||= reportingMta;
  return out;
}

/** The message/delivery-status part of a report, or null. */
export function dsnPart(mail: Mail): Part | null {
  return mail.parts.find((p) => DSN_TYPES.has(p.mimeType)) ?? null;
}

/** The returned message (or its headers) attached to a report, or null. */
export function originalPart(mail: Mail): Part | null {
  return mail.parts.find((p) => ORIGINAL_TYPES.has(p.mimeType)) ?? null;
}

/** Headers of a header block, lower-cased names → first value (folded lines joined). */
export function headersOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fieldLines(text)) {
    if (line === "") break;
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (m && !out.has(m[1].toLowerCase())) out.set(m[1].toLowerCase(), m[2]);
  }
  return out;
}

/** The ids and recipient of the returned message, from a block of its headers. */
export function originalOf(headerText: string): Original | null {
  const h = headersOf(headerText);
  const messageId = messageIds(h.get("message-id"))[0] ?? null;
  const references = messageIds(h.get("references"));
  const to = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+/.exec(h.get("to") ?? "")?.[0].toLowerCase() ?? null;
  if (!messageId && references.length === 0 && !to) return null;
  return { messageId, references, to };
}

/** The fields of an ARF (RFC 5965) message/feedback-report part. */
export type Feedback = { type: string; recipient: string | null };

/** The feedback report of an ARF complaint, or null when this is not one. */
export function feedbackOf(mail: Mail): Feedback | null {
  const part = mail.parts.find((p) => p.mimeType === "message/feedback-report");
  if (part) {
    const h = headersOf(part.text);
    const rcpt = h.get("original-rcpt-to") ?? h.get("removal-recipient") ?? "";
    return {
      type: (h.get("feedback-type") ?? "abuse").toLowerCase(),
      recipient: rcpt ? addressOf(rcpt) : null,
    };
  }
  if (mail.reportType === "feedback-report") return { type: "abuse", recipient: null };
  const ses = sesNotification(mail);
  if (ses?.notificationType === "Complaint") {
    const rcpt = ses.complaint?.complainedRecipients?.[0]?.emailAddress;
    return { type: "abuse", recipient: rcpt ? rcpt.toLowerCase() : null };
  }
  // Hotmail's and SES's older complaints: not ARF, but a complaint all the same.
  const complaintFrom = /(?:staff@hotmail\.com|complaints@email-abuse\.amazonses\.com)$/;
  if (
    mail.contentType === "multipart/mixed" &&
    complaintFrom.test(mail.from) &&
    mail.subject.toLowerCase().includes("complaint about message from ")
  ) {
    return { type: "abuse", recipient: null };
  }
  return null;
}
