// The dashboard's CSV downloads: the figures per campaign (with the filtered total first)
// and the daily series. Cells are formula-safe, as every Beacon export.
import { safeCell } from "@workers/core/engine/csv";
import { type DailyPoint, METRIC_NAMES, type TeamMetrics } from "@workers/metrics/types";
import Papa from "papaparse";

const label = (m: string) => m[0].toUpperCase() + m.slice(1);

function toCsv(fields: string[], rows: (string | number)[][]): string {
  const data = rows.map((r) => r.map((c) => (typeof c === "number" ? String(c) : safeCell(c))));
  return `${Papa.unparse({ fields, data }, { newline: "\r\n", quotes: false, escapeFormulae: false })}\r\n`;
}

/** One row per campaign, highest reply rate first, after a row for all of them. */
export function teamMetricsCsv(team: TeamMetrics): string {
  const fields = [
    "Campaign ID",
    "Campaign",
    "Status",
    "Prospects",
    ...METRIC_NAMES.flatMap((m) => [`${label(m)} people`, `${label(m)} rate`]),
  ];
  const figures = (t: TeamMetrics["totals"]) =>
    METRIC_NAMES.flatMap((m) => [t[m].people, Number(t[m].rate.toFixed(4))]);
  return toCsv(fields, [
    ["", "All matching campaigns", "", team.prospects, ...figures(team.totals)],
    ...team.byCampaign.map((c) => [
      c.campaignId,
      c.name,
      c.status,
      c.prospects,
      ...figures(c.totals),
    ]),
  ]);
}

/** One row per UTC day. */
export function dailySeriesCsv(points: DailyPoint[]): string {
  const keys = ["sent", "opened", "clicked", "replied", "bounced", "complained"] as const;
  return toCsv(
    ["Day", ...keys.map(label)],
    points.map((p) => [p.day, ...keys.map((k) => p[k])]),
  );
}

/** A CSV download that is never cached (it holds the team's figures). */
export function csvResponse(body: string, filename: string) {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
