import { mdaRefusal } from "./mda";
import type { Mail } from "./message";
import { commandIn, mtaInput, newDelivery, receivingHost } from "./mta-common";
import { readMtaText } from "./mta-text";
import { readersFor } from "./mta-vendors";
import type { Delivery } from "./reason";
import { type DsnRecipient, dsnPart, parseDsn } from "./reports";

/** What a message says about delivery: a failure, a report of success, or nothing. */
export type Failure = { delivery: Delivery } | { delivered: true };

const done = (d: Delivery) =>
  d.status.startsWith("2.") || ["delivered", "relayed", "expanded"].includes(d.action);

function fromDsn(r: DsnRecipient, mail: Mail): Delivery {
  const diagnostic = r.diagnostic || r.statusText;
  return {
    ...newDelivery(),
    recipient: r.recipient,
    action: r.action,
    status: r.status,
    diagnostic,
    diagnosticType: r.diagnosticType,
    command: commandIn(diagnostic) || commandIn(mail.text),
    rhost: r.remoteMta || receivingHost(mail),
  };
}

function firstFailed(deliveries: Delivery[]): Failure | null {
  const failed = deliveries.find((d) => !done(d));
  if (failed) return { delivery: failed };
  return deliveries.length > 0 ? { delivered: true } : null;
}

/**
 * The failed delivery a bounce reports (its first failed recipient): read by the reader
 * of the MTA that wrote it when one knows the format, else from its RFC 3464 report,
 * else from the words of the text. Null when the message reports no delivery at all.
 */
export function failureOf(mail: Mail): Failure | null {
  const input = mtaInput(mail);
  for (const read of readersFor(input)) {
    const deliveries = read(input);
    if (deliveries && deliveries.length > 0) {
      for (const d of deliveries) d.rhost ||= receivingHost(mail);
      return firstFailed(deliveries);
    }
  }
  // A report whose parts were lost still carries its fields in the text.
  const report = dsnPart(mail)?.text ?? (/^Final-Recipient:/im.test(mail.text) ? mail.text : "");
  if (report) {
    const recipients = parseDsn(report);
    if (recipients.length > 0) {
      const refusal = mdaRefusal(input);
      const deliveries = recipients.map((r) => fromDsn(r, mail));
      // A local delivery agent's refusal quoted in the report says more than its fields.
      if (refusal) {
        for (const d of deliveries) {
          d.reason = refusal.reason || "undefined";
          if (refusal.message) d.diagnostic = refusal.message;
          d.command = "";
        }
      }
      const found = firstFailed(deliveries);
      if (found && "delivery" in found && !found.delivery.diagnostic) {
        // Some MTAs leave the report's diagnostic empty and say it in the text.
        const text = readMtaText(mail);
        if (text) return { delivery: { ...found.delivery, diagnostic: text.diagnostic } };
      }
      if (found) return found;
    }
  }
  const text = readMtaText(mail);
  return text ? { delivery: text } : null;
}
