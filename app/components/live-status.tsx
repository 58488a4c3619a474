import type { LiveStatus as Status } from "~/lib/use-live-feed";

/**
 * A small, unobtrusive line saying whether the page is following live changes: "Up to
 * date", or "Offline — reconnecting…" while the connection is down (announced politely).
 */
export function LiveStatus({ status }: { status: Status }) {
  const state = !status.online ? "offline" : status.caughtUp ? "live" : "syncing";
  return (
    <span className={`live-status ${state}`} role="status" aria-live="polite" data-live={state}>
      <span className="live-status-dot" aria-hidden="true" />
      {state === "offline"
        ? "Offline — reconnecting…"
        : state === "live"
          ? "Up to date"
          : "Catching up…"}
    </span>
  );
}
