import {
  EMAIL_STATUS_LABELS,
  EMAIL_STATUSES,
  type EmailStatus,
  type ProspectStatus,
  STATUS_LABELS,
} from "@workers/core/engine/statuses";
import {
  CAMPAIGN_STATUS_LABELS,
  CAMPAIGN_STATUS_TONES,
  EMAIL_STATUS_TONES,
  STATUS_TONES,
} from "@workers/core/prospect-list";

/** A prospect's status as a coloured badge ("Not Delivered"). */
export function StatusBadge({ status }: { status: ProspectStatus }) {
  return <span className={`badge ${STATUS_TONES[status]}`.trim()}>{STATUS_LABELS[status]}</span>;
}

const isEmailStatus = (s: string): s is EmailStatus =>
  (EMAIL_STATUSES as readonly string[]).includes(s);

/** An Email Log row's delivery status ("Waiting", "Held", "Sent"…). */
export function EmailStatusBadge({ status }: { status: string }) {
  if (!isEmailStatus(status)) return <span className="badge">{status}</span>;
  return (
    <span className={`badge ${EMAIL_STATUS_TONES[status]}`.trim()}>
      {EMAIL_STATUS_LABELS[status]}
    </span>
  );
}

/** A campaign's own status: Draft, Active or Disabled. */
export function CampaignStatusBadge({ status }: { status: keyof typeof CAMPAIGN_STATUS_LABELS }) {
  return (
    <span className={`badge ${CAMPAIGN_STATUS_TONES[status]}`.trim()}>
      {CAMPAIGN_STATUS_LABELS[status]}
    </span>
  );
}
