import { formatDateTime } from "~/lib/time";

const KIND_LABELS: Record<string, string> = {
  reply: "Reply",
  auto_reply: "Auto-reply",
  out_of_office: "Out of office",
  bounce: "Bounce",
  complaint: "Complaint",
  other: "Other",
};

const KIND_TONES: Record<string, string> = {
  reply: "ok",
  out_of_office: "warn",
  bounce: "danger",
  complaint: "danger",
};

/** The kind of an inbound message as a small badge ("Reply", "Out of office", "Bounce"…). */
export function MailKindBadge({ kind }: { kind: string }) {
  const tone = KIND_TONES[kind];
  return (
    <span className={tone ? `badge ${tone}` : "badge"} data-kind={kind}>
      {KIND_LABELS[kind] ?? kind}
    </span>
  );
}

/** Which way a message went: ← from the person to the team, → the team's own mail to them. */
export function MailDirection({ direction }: { direction: "in" | "out" }) {
  return direction === "in" ? (
    <span className="mail-dir in" data-direction="in">
      <span aria-hidden="true">←</span> Received
    </span>
  ) : (
    <span className="mail-dir out" data-direction="out">
      <span aria-hidden="true">→</span> Sent
    </span>
  );
}

type MailListItem = {
  id: string;
  receivedAt: string;
  direction: "in" | "out";
  from: string;
  subject: string | null;
  kind: string;
  snippet: string | null;
};

/**
 * One message of a mail list: which way it went, its kind (left out for the team's own
 * mail, which is simply mail), when, subject, sender and the new text of a reply.
 */
export function MailItem({ mail: m, timeZone }: { mail: MailListItem; timeZone: string }) {
  return (
    <li className="mail-item" data-mail={m.id}>
      <div className="mail-head">
        <MailDirection direction={m.direction} />
        {m.direction === "out" && m.kind === "reply" ? null : <MailKindBadge kind={m.kind} />}
        <span className="muted small when">{formatDateTime(m.receivedAt, timeZone)}</span>
      </div>
      <div className="mail-subject">{m.subject || <span className="muted">(no subject)</span>}</div>
      <div className="muted small mail-from">From {m.from}</div>
      {m.snippet ? <p className="mail-snippet">{m.snippet}</p> : null}
    </li>
  );
}

/**
 * The person profile's "Mail" section: the person's replies, auto-replies and bounces, and
 * the team's own mail to them that reached Beacon through a mailbox's sync address.
 */
export function PersonMailSection({
  firstName,
  mail,
  timeZone,
}: {
  firstName: string;
  mail: MailListItem[];
  timeZone: string;
}) {
  return (
    <section className="card person-mail" id="mail" aria-labelledby="mail-title">
      <h2 id="mail-title" style={{ marginTop: 0 }}>
        Mail
      </h2>
      {mail.length === 0 ? (
        <p className="muted">
          No mail with {firstName} yet. Replies to campaigns appear here, and so does mail you
          exchange yourself once your inbox is synced (see Mailboxes).
        </p>
      ) : (
        <ul className="mail-list">
          {mail.map((m) => (
            <MailItem key={m.id} mail={m} timeZone={timeZone} />
          ))}
        </ul>
      )}
    </section>
  );
}
