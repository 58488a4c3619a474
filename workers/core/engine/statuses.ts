import { z } from "zod";

/** Prospect statuses of DESIGN.md §1, as the API spells them. */
export const STATUSES = [
  "active",
  "pending",
  "paused",
  "replied",
  "complete",
  "bounced",
  "spam",
  "not_delivered",
  "failed",
  "unsubscribed",
] as const;
export const StatusSchema = z.enum(STATUSES, {
  error: `Use one of: ${STATUSES.join(", ")}`,
});
export type ProspectStatus = z.infer<typeof StatusSchema>;

export const STATUS_LABELS: Record<ProspectStatus, string> = {
  active: "Active",
  pending: "Pending",
  paused: "Paused",
  replied: "Replied",
  complete: "Complete",
  bounced: "Bounced",
  spam: "Spam",
  not_delivered: "Not Delivered",
  failed: "Failed",
  unsubscribed: "Unsubscribed",
};

/** The display name of a status ("Not Delivered"). */
export function statusLabel(status: ProspectStatus): string {
  return STATUS_LABELS[status];
}

/** Reason codes grouped by the status they belong to (the §1 table). */
export const REASONS = {
  active: [],
  pending: ["throttled", "validation_failed", "missing_merge_field"],
  paused: ["paused_by_user", "out_of_office"],
  replied: ["replied_email", "replied_sms", "marked_replied"],
  complete: ["completed", "marked_finished"],
  bounced: ["hard_bounce"],
  spam: ["refused_as_spam", "complaint"],
  not_delivered: ["canceled", "invalid_recipient", "soft_bounce", "provider_rejected"],
  failed: [
    "null_email",
    "too_many_retries",
    "email_limit",
    "email_not_synced",
    "no_account_selected",
    "no_phone",
  ],
  unsubscribed: ["unsubscribed", "sms_stop"],
} as const satisfies Record<ProspectStatus, readonly string[]>;

export type Reason = (typeof REASONS)[keyof typeof REASONS][number];
export type ReasonOf<S extends ProspectStatus> = (typeof REASONS)[S][number];

export const REASON_CODES = Object.values(REASONS).flat() as Reason[];
export const ReasonSchema = z.enum(REASON_CODES as [Reason, ...Reason[]], {
  error: "Unknown reason code",
});

const STATUS_OF_REASON = new Map<Reason, ProspectStatus>(
  (Object.entries(REASONS) as [ProspectStatus, readonly Reason[]][]).flatMap(([status, codes]) =>
    codes.map((code) => [code, status] as const),
  ),
);

/** The status a reason code belongs to (`null_email` → `failed`). */
export function statusOfReason(reason: Reason): ProspectStatus {
  const status = STATUS_OF_REASON.get(reason);
  if (!status) throw new Error(`Unknown reason code: ${reason}`);
  return status;
}

/** True when the reason code belongs to the status (a reason never crosses statuses). */
export function reasonFits(status: ProspectStatus, reason: Reason | null): boolean {
  if (reason === null) return status === "active";
  return STATUS_OF_REASON.get(reason) === status;
}

function withDetail(base: string, detail: string | undefined, join = ": "): string {
  const d = detail?.trim();
  return d ? `${base}${join}${d}` : base;
}

/**
 * A plain-words label for a reason. `detail` adds what the reason needs to be useful:
 * the resume time for `throttled`, the SMTP status/diagnostic for bounces, the return
 * date for `out_of_office`, the provider's message for `provider_rejected`.
 */
export function reasonLabel(reason: Reason, detail?: string): string {
  switch (reason) {
    case "throttled":
      return detail?.trim()
        ? `Daily email limit reached; resumes at ${detail.trim()}`
        : "Daily email limit reached; resumes when the next day's allowance opens";
    case "validation_failed":
      return withDetail("The email address failed validation; fix it, then Retry", detail);
    case "missing_merge_field":
      return withDetail(
        "The profile lacks data a stage needs; fill it in, then Retry",
        detail,
        " — missing: ",
      );
    case "paused_by_user":
      return "Paused by a user; nothing is sent until unpaused";
    case "out_of_office":
      return detail?.trim()
        ? `Out of office; resumes by itself on ${detail.trim()}`
        : "Out of office; resumes by itself on the stated return date";
    case "replied_email":
      return "Replied by email; receives nothing more unless unpaused";
    case "replied_sms":
      return "Replied by SMS; receives nothing more unless unpaused";
    case "marked_replied":
      return "Marked as replied by a user";
    case "completed":
      return "Went through every stage";
    case "marked_finished":
      return "Marked finished by a user";
    case "hard_bounce":
      return withDetail("The receiving server rejected the address permanently", detail);
    case "refused_as_spam":
      return withDetail("The receiving server refused the email as spam", detail);
    case "complaint":
      return "The recipient reported the email as spam";
    case "canceled":
      return "The scheduled email was canceled; Skip or Retry";
    case "invalid_recipient":
      return withDetail("The recipient address is not valid", detail);
    case "soft_bounce":
      return withDetail("The email was not delivered (temporary failure)", detail);
    case "provider_rejected":
      return withDetail("The email provider refused to send it", detail);
    case "null_email":
      return "No email address that this stage may use (its email priority allows only personal/work addresses)";
    case "too_many_retries":
      return withDetail("Sending failed too many times in a row", detail);
    case "email_limit":
      return "Daily email limit reached; not sent (the account's policy is to fail, not wait)";
    case "email_not_synced":
      return withDetail("The stage's mailbox cannot send (its domain is not verified)", detail);
    case "no_account_selected":
      return "No mailbox is chosen to send this stage";
    case "no_phone":
      return "No phone number to send this SMS to";
    case "unsubscribed":
      return "Unsubscribed; never contacted again by this account";
    case "sms_stop":
      return "Replied STOP to an SMS; never contacted again by this account";
  }
}

/** Delivery statuses of an Email Log row (DESIGN.md "Email Log"). */
export const EMAIL_STATUSES = [
  "waiting",
  "held",
  "sent",
  "delivered",
  "bounced",
  "spam",
  "not_delivered",
  "canceled",
  "failed",
] as const;
export const EmailStatusSchema = z.enum(EMAIL_STATUSES, {
  error: `Use one of: ${EMAIL_STATUSES.join(", ")}`,
});
export type EmailStatus = z.infer<typeof EmailStatusSchema>;

export const EMAIL_STATUS_LABELS: Record<EmailStatus, string> = {
  waiting: "Waiting",
  held: "Held",
  sent: "Sent",
  delivered: "Delivered",
  bounced: "Bounced",
  spam: "Spam",
  not_delivered: "Not Delivered",
  canceled: "Canceled",
  failed: "Failed",
};
