import { humanizeUntil } from "@workers/core/engine/schedule";
import { useEffect, useState } from "react";

/*
 * Times on the campaign pages are written in the team's time zone on the server and in
 * the browser alike, so the first render in the browser matches the server's HTML.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean) {
  const key = `${timeZone}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      month: "short",
      day: "numeric",
      year: withTime ? undefined : "numeric",
      hour: withTime ? "2-digit" : undefined,
      minute: withTime ? "2-digit" : undefined,
      hourCycle: "h23",
    });
    formatters.set(key, f);
  }
  return f;
}

/** "Mar 3, 09:00" in the team's time zone. */
export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatter(timeZone, true).format(new Date(iso)) : "—";
}

/** "Mar 3, 2026" in the team's time zone. */
export function formatDate(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatter(timeZone, false).format(new Date(iso)) : "—";
}

/** "in 2 days", or "due now" for a time already reached. */
export function untilText(iso: string, now: number): string {
  const left = humanizeUntil(Date.parse(iso) - now);
  return left === "now" ? "due now" : `in ${left}`;
}

/**
 * The current time for "in 2 days": the server's time for the first render (so hydration
 * matches), then the browser's, refreshed every half minute.
 */
export function useNow(serverNow: number, everyMs = 30_000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
