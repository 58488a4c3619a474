// The campaign page's small pieces: stage labels, rates, the sending window, throttled refresh.

import { useRevalidator } from "@remix-run/react";
import { WEEKDAYS } from "@workers/core/campaign-form";
import type { Stage } from "@workers/core/engine/schemas";
import { useEffect, useRef } from "react";
import type { StageSummary } from "~/components/prospects-table";

/** Prospects per page of the campaign page's list. */
export const PAGE_SIZE = 50;

export function stageSummary(s: Stage): StageSummary {
  switch (s.type) {
    case "email":
      return { type: "Email", label: `Email: ${s.subject}` };
    case "sms":
      return { type: "SMS", label: "SMS" };
    default:
      return {
        type: s.type === "call" ? "Call" : "Task",
        label: `${s.type === "call" ? "Call" : "Task"}: ${s.title}`,
      };
  }
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;

export function Rates({
  set,
}: {
  set: Record<"opened" | "clicked" | "replied", { people: number; rate: number }>;
}) {
  return (
    <span className="rates">
      <span title={`${set.opened.people} people`}>Opened {pct(set.opened.rate)}</span>
      <span title={`${set.clicked.people} people`}>Clicked {pct(set.clicked.rate)}</span>
      <span title={`${set.replied.people} people`}>Replied {pct(set.replied.rate)}</span>
    </span>
  );
}

export function windowText(w: { days: number[]; start: string; end: string }) {
  const days = WEEKDAYS.filter((d) => w.days.includes(d.value))
    .map((d) => d.short)
    .join(", ");
  return `${days} ${w.start}–${w.end}`;
}

/** Refreshes the header counts a few seconds after live changes, at most that often. */
export function useThrottledRevalidate(ms: number) {
  const { revalidate, state } = useRevalidator();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const idle = useRef(state === "idle");
  idle.current = state === "idle";
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      if (idle.current) revalidate();
    }, ms);
  };
}
