// The campaign page's Metrics section: totals, the funnel, each stage's rates (÷ all people
// and ÷ people the stage reached), and sends/opens/replies per day.
import { Link, useLocation } from "@remix-run/react";
import { percent } from "@workers/core/charts/geometry";
import type { Include, StageMeasure, StageMetrics } from "@workers/metrics/types";
import { EngagementCharts, MetricFigures, n } from "~/components/metric-figures";
import type { CampaignMetricsSection } from "~/lib/campaign-metrics.server";
import { type LiveStatus, useAccountFeed } from "~/lib/use-live-feed";
import { useLiveRevalidate } from "~/lib/use-live-revalidate";

/**
 * Reloads the page's figures a few seconds after the team feed reports a change they may
 * include (an Email Log row: a send, an open, a reply, a bounce; a campaign's counts), at
 * most that often; only for one campaign when `campaignId` is given.
 */
export function useMetricsLive(campaignId?: string): LiveStatus {
  const refresh = useLiveRevalidate(4_000);
  return useAccountFeed({
    onEntries: (entries) => {
      const touches = entries.some((e) =>
        e.kind === "email"
          ? !campaignId || e.row.campaignId === campaignId
          : e.kind === "campaign" && (!campaignId || e.id === campaignId),
      );
      if (touches) refresh();
    },
    onSnapshot: refresh,
  });
}

const STAGE_COLUMNS = [
  ["opened", "Opened"],
  ["clicked", "Clicked"],
  ["replied", "Replied"],
  ["bounced", "Bounced"],
  ["unsubscribed", "Unsubscribed"],
] as const;

/** Human/All as two links keeping the page's other parameters. */
export function IncludeToggle({ include }: { include: Include }) {
  const location = useLocation();
  const href = (value: Include) => {
    const sp = new URLSearchParams(location.search);
    if (value === "human") sp.delete("include");
    else sp.set("include", value);
    const q = sp.toString();
    return `${location.pathname}${q ? `?${q}` : ""}`;
  };
  return (
    <nav className="segmented" aria-label="Which events count">
      <Link
        to={href("human")}
        preventScrollReset
        aria-current={include === "human" ? "true" : undefined}
      >
        Human
      </Link>
      <Link
        to={href("all")}
        preventScrollReset
        aria-current={include === "all" ? "true" : undefined}
      >
        All
      </Link>
    </nav>
  );
}

export function includeNote(include: Include) {
  return include === "human"
    ? "Human figures: opens and clicks by machines (security scanners, link checkers, requests within seconds of sending) are left out; image proxies such as Apple Mail Privacy Protection count as opens."
    : "All figures: machine opens and clicks are counted too.";
}

function StageCell({ label, m }: { label: string; m: StageMeasure }) {
  return (
    <td data-label={label}>
      <strong>{n(m.people)}</strong>
      <span className="small muted rate-pair">
        {percent(m.rate)} of all · {percent(m.rateOfReached)} of reached
      </span>
    </td>
  );
}

function stageName(s: StageMetrics) {
  const type = { email: "Email", sms: "SMS", call: "Call", task: "Task" }[s.type];
  return s.label ? `${type}: ${s.label}` : type;
}

export function CampaignMetrics({ section }: { section: CampaignMetricsSection | null }) {
  if (!section) {
    return (
      <section className="card metrics-section" aria-labelledby="metrics-title">
        <h2 id="metrics-title" className="card-title">
          Metrics
        </h2>
        <p className="muted">Metrics appear once the campaign's first messages are recorded.</p>
      </section>
    );
  }
  const { metrics: m, include } = section;
  return <MetricsBody section={section} m={m} include={include} />;
}

function MetricsBody({
  section,
  m,
  include,
}: {
  section: CampaignMetricsSection;
  m: CampaignMetricsSection["metrics"];
  include: Include;
}) {
  useMetricsLive(m.campaignId);
  const t = m.totals;
  const tracked = m.stages.filter((s) => s.type === "email" || s.type === "sms");
  return (
    <section className="card metrics-section" aria-labelledby="metrics-title" id="metrics">
      <div className="row-between">
        <h2 id="metrics-title" className="card-title">
          Metrics
        </h2>
        <IncludeToggle include={include} />
      </div>
      <p className="small muted">
        Of all {n(m.prospects)} people in the campaign, at any stage. {includeNote(include)}
      </p>
      <MetricFigures totals={t} />
      <EngagementCharts
        totals={t}
        of={{ label: "people in the campaign", people: m.prospects }}
        funnelTitle={`${m.name}: people reached, opened, clicked and replied`}
        series={{
          heading: "Last 30 days",
          title: `${m.name}: messages sent and people who opened or replied, per day`,
          points: section.series,
          from: section.from,
          to: section.to,
        }}
      />
      <h3 className="chart-title">By stage</h3>
      {tracked.length === 0 ? (
        <p className="muted small">
          No email or SMS stage: calls and tasks have no engagement figures.
        </p>
      ) : (
        <table className="stage-metrics">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Reached</th>
              {STAGE_COLUMNS.map(([key, label]) => (
                <th key={key} scope="col">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tracked.map((s) => (
              <tr key={s.stageId}>
                <th scope="row">
                  <span className="stage-number">{s.stageIndex + 1}</span> {stageName(s)}
                </th>
                <td data-label="Reached">
                  <strong>{n(s.reached)}</strong>
                  <span className="small muted rate-pair">{percent(s.sent.rate)} of all</span>
                </td>
                {STAGE_COLUMNS.map(([key, label]) => (
                  <StageCell key={key} label={label} m={s[key]} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
