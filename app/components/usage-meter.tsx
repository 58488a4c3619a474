import { useRevalidator } from "@remix-run/react";
import { type UsageFigure, withLedgerUsage } from "@workers/core/usage-figure";
import { useEffect, useRef } from "react";
import { formatDateTime } from "~/lib/time";
import { useUsage } from "~/lib/use-live-feed";

/** After the feed's usage moves, the page reads the exact figure again this much later. */
const RELOAD_AFTER_MS = 3_000;

/**
 * The figure, live: the team feed's ledger counts at once, then (a moment later, once per
 * burst) the page's data again for the exact sent / reserved split from the Email Log.
 */
function useLiveFigure(loaded: UsageFigure): UsageFigure {
  const live = useUsage();
  const { revalidate } = useRevalidator();
  const reload = useRef(revalidate);
  reload.current = revalidate;
  const differs =
    live !== null && live.sentToday !== loaded.sent + loaded.reserved ? live.sentToday : null;
  useEffect(() => {
    if (differs === null) return;
    const timer = setTimeout(() => reload.current(), RELOAD_AFTER_MS);
    return () => clearTimeout(timer);
  }, [differs]);
  return live ? withLedgerUsage(loaded, live) : loaded;
}

const n = (v: number) => v.toLocaleString("en-US");

/** A share of the bar in percent, of the larger of the limit and what was used. */
function share(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return "0%";
  // A few sends of thousands still show as a sliver.
  return `max(4px, ${Math.min(100, (part / whole) * 100).toFixed(2)}%)`;
}

/** "N sent · M reserved · K remaining of L": the sentence the meter and its bar say. */
export function usageSentence(u: Pick<UsageFigure, "sent" | "reserved" | "remaining" | "limit">) {
  return `${n(u.sent)} sent · ${n(u.reserved)} reserved · ${n(u.remaining)} remaining of ${n(u.limit)}`;
}

/**
 * Today's emails against the team's daily limit, with each mailbox's own cap: on the
 * Settings page and over the Outreach list. `compact` leaves the mailboxes in a disclosure;
 * `bare` drops the card, for a place inside another card.
 */
export function UsageMeter({
  usage: loaded,
  compact = false,
  bare = false,
}: {
  usage: UsageFigure;
  compact?: boolean;
  bare?: boolean;
}) {
  const usage = useLiveFigure(loaded);
  const whole = Math.max(usage.limit, usage.sent + usage.reserved);
  const sentence = usageSentence(usage);
  const full = usage.remaining === 0;
  const boxes =
    usage.mailboxes.length === 0 ? (
      <p className="small muted">No mailboxes yet.</p>
    ) : (
      <ul className="usage-mailboxes">
        {usage.mailboxes.map((m) => (
          <li key={m.id} data-mailbox={m.id}>
            <span className="usage-mailbox-name">
              {m.name} <span className="muted">&lt;{m.address}&gt;</span>
            </span>
            <span className="usage-mailbox-cap">
              {m.cap === null
                ? `${n(m.used)} today · no cap of its own`
                : `${n(m.used)} of its ${n(m.cap)} a day${m.remaining === 0 ? " · cap reached" : ""}`}
            </span>
          </li>
        ))}
      </ul>
    );
  return (
    <section
      className={`${bare ? "" : "card "}usage-meter${compact ? " compact" : ""}`}
      data-usage={`${usage.sent}/${usage.reserved}/${usage.remaining}/${usage.limit}`}
      aria-label="Emails today"
    >
      <div className="usage-head">
        <strong>Emails today</strong>
        <span className="small muted">
          Resets {formatDateTime(usage.resetsAt, usage.timeZone)} ({usage.timeZone})
        </span>
      </div>
      <div className="usage-bar" role="img" aria-label={sentence}>
        <span className="usage-sent" style={{ width: share(usage.sent, whole) }} />
        <span className="usage-reserved" style={{ width: share(usage.reserved, whole) }} />
      </div>
      <p className={`usage-text${full ? " usage-full" : ""}`}>
        {sentence}
        {full ? " — the daily limit is reached" : ""}
      </p>
      {compact ? (
        <details className="usage-details">
          <summary>Mailbox caps</summary>
          {boxes}
        </details>
      ) : (
        boxes
      )}
    </section>
  );
}
