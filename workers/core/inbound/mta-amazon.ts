import { z } from "zod";
import { header, type Mail } from "./message";
import { fillet, type MtaReader, newDelivery } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import type { Delivery } from "./reason";
import { findStatus, reasonOfStatus } from "./smtp-codes";
import type { BounceReason } from "./types";

// Readers of Amazon SES's bounces, after sisimai's Sisimai::Lhost::AmazonSES and
// ::ReceivingSES (libsisimai-perl 4.25.15, BSD 2-clause).

const Recipient = z.object({
  emailAddress: z.string(),
  action: z.string().optional(),
  status: z.string().optional(),
  diagnosticCode: z.string().optional(),
});
/** An SES event (bounce, complaint, delivery) as SNS mails it. */
const SesNotification = z.object({
  notificationType: z.string(),
  bounce: z
    .object({
      bounceType: z.string().optional(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(Recipient).optional(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })).optional(),
    })
    .optional(),
  delivery: z
    .object({ recipients: z.array(z.string()).optional(), smtpResponse: z.string().optional() })
    .optional(),
});
type SesNotification = z.infer<typeof SesNotification>;

const BOUNCE_TYPES: Record<string, Record<string, BounceReason | "">> = {
  Permanent: { General: "", NoEmail: "", Suppressed: "" },
  Transient: {
    General: "",
    MailboxFull: "mailboxfull",
    MessageTooLarge: "mesgtoobig",
    ContentRejected: "",
    AttachmentRejected: "",
  },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The SES notification an SNS email carries (its body is the JSON, lines folded with "!"),
 * or null when the message is not one.
 */
export function sesNotification(mail: Mail): SesNotification | null {
  if (!mail.text.startsWith("{") || !header(mail, "x-amz-sns-message-id")) return null;
  let json = "";
  let folded = false;
  for (const raw of mail.text.split("\n")) {
    if (!raw) continue;
    if (raw === "--") break;
    let line: string = folded ? raw.slice(1) : raw;
    folded = line.endsWith("!");
    if (folded) line = line.slice(0, -1);
    json += line;
  }
  const outer = z.object({ Message: z.string() }).safeParse(parseJson(json));
  const parsed = SesNotification.safeParse(
    outer.success ? parseJson(outer.data.Message) : parseJson(json),
  );
  return parsed.success ? parsed.data : null;
}

function fromNotification(n: SesNotification): Delivery[] | null {
  if (n.notificationType === "Bounce") {
    const reason = BOUNCE_TYPES[n.bounce?.bounceType ?? ""]?.[n.bounce?.bounceSubType ?? ""] ?? "";
    const list = (n.bounce?.bouncedRecipients ?? []).map((r): Delivery => {
      const code = /^(.+?);\s*(.+)$/.exec(r.diagnosticCode ?? "");
      return {
        ...newDelivery(),
        recipient: r.emailAddress.toLowerCase(),
        action: r.action ?? "",
        status: r.status ?? "",
        diagnostic: code ? code[2] : (r.diagnosticCode ?? ""),
        diagnosticType: code ? code[1].toUpperCase() : "",
        reason,
      };
    });
    return list.length > 0 ? list : null;
  }
  if (n.notificationType === "Delivery") {
    const list = (n.delivery?.recipients ?? []).map(
      (r): Delivery => ({ ...newDelivery(), recipient: r.toLowerCase(), action: "delivered" }),
    );
    return list.length > 0 ? list : null;
  }
  return null;
}

/** Amazon SES: an SNS notification's JSON, or its own DSN ("The following message to <"). */
export const amazonSes: MtaReader = (m) => {
  const notification = sesNotification(m.mail);
  if (notification) return fromNotification(notification);
  if (m.mail.text.startsWith("{")) return null;
  if (header(m.mail, "x-mailer").includes("Amazon WorkMail")) return null;
  if (!header(m.mail, "x-aws-outgoing") && !header(m.mail, "x-ses-outgoing")) return null;
  const lines = linesFrom(
    fillet(m.body, /^content-type: message\/rfc822/m)[0],
    (l) =>
      l.startsWith("The following message to <") ||
      l.startsWith("An error occurred while trying to deliver the mail "),
  );
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) {
    refineStatus(d);
    if (d.diagnostic.includes("Delivery expired")) d.reason = "expired";
  }
  return list;
};

/** A "4.0.0"/"5.1.0" report status gives way to the code quoted in the words. */
function refineStatus(d: Delivery): void {
  if (!/^[45]\.[01]\.0$/.test(d.status)) return;
  const quoted = /["'](\d\.\d\.\d.+)['"]/.exec(d.diagnostic)?.[1] ?? d.diagnostic;
  d.status = findStatus(quoted) || d.status;
}

const RECEIVING_SES_PHRASES: PhraseTable = [
  ["filtered", ["Mailbox does not exist"]],
  ["mesgtoobig", ["Message too large"]],
  ["mailboxfull", ["Mailbox full"]],
  ["contenterror", ["Message content rejected"]],
];

/** Amazon SES receiving mail on behalf of a domain. */
export const receivingSes: MtaReader = (m) => {
  if (!header(m.mail, "x-ses-outgoing")) return null;
  const lines = linesFrom(fillet(m.body, /^content-type: text\/rfc822-headers/im)[0], (l) =>
    l.startsWith("This message could not be delivered."),
  );
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) {
    refineStatus(d);
    d.reason = phraseReason(RECEIVING_SES_PHRASES, d.diagnostic) || reasonOfStatus(d.status);
  }
  return list;
};
