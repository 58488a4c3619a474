// Figures shared by the campaign page's Metrics section and the team dashboard: the six
// totals as rates of all people, and the funnel (reached → opened → clicked → replied) beside
// the messages per day.
import { percent } from "@workers/core/charts/geometry";
import type { Measure, MetricTotals } from "@workers/metrics/types";
import type { ReactNode } from "react";
import { FunnelChart } from "~/components/charts/funnel-chart";
import { type DayCounts, TimeSeriesChart } from "~/components/charts/time-series-chart";

/** A whole number as the page shows it: "1,234". */
export const n = (v: number) => v.toLocaleString("en-US");
/** "1 person", "12 people". */
export const peopleCount = (v: number) => `${n(v)} ${v === 1 ? "person" : "people"}`;

function Figure({ label, m }: { label: string; m: Measure }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>
        <strong>{percent(m.rate)}</strong>{" "}
        <span className="muted small">{peopleCount(m.people)}</span>
      </dd>
    </div>
  );
}

export function MetricFigures({ totals: t }: { totals: MetricTotals }) {
  return (
    <dl className="figures">
      <Figure label="Reached" m={t.reached} />
      <Figure label="Opened" m={t.opened} />
      <Figure label="Clicked" m={t.clicked} />
      <Figure label="Replied" m={t.replied} />
      <Figure label="Bounced" m={t.bounced} />
      <Figure label="Unsubscribed" m={t.unsubscribed} />
    </dl>
  );
}

/**
 * Two charts side by side: the funnel of `totals` (each step of all `of.people`) and the
 * messages sent and people who opened or replied per day, `series.from` to `series.to`.
 */
export function EngagementCharts({
  totals: t,
  of,
  funnelTitle,
  series,
}: {
  totals: MetricTotals;
  of: { label: string; people: number };
  funnelTitle: string;
  series: {
    heading: ReactNode;
    title: string;
    points: DayCounts[];
    from: string;
    to: string;
  };
}) {
  return (
    <div className="chart-grid">
      <div>
        <h3 className="chart-title">Funnel</h3>
        <FunnelChart
          title={funnelTitle}
          steps={[
            { label: "Reached", people: t.reached.people },
            { label: "Opened", people: t.opened.people },
            { label: "Clicked", people: t.clicked.people },
            { label: "Replied", people: t.replied.people },
          ]}
          of={of}
        />
      </div>
      <div>
        <h3 className="chart-title">{series.heading}</h3>
        <TimeSeriesChart
          title={series.title}
          points={series.points}
          from={series.from}
          to={series.to}
        />
      </div>
    </div>
  );
}
