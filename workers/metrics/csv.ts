import Papa from "papaparse";
import { safeCell } from "../core/engine/csv";
import { type CampaignMetrics, METRIC_NAMES, type TeamMetrics } from "./types";

const ratio = (r: number) => r.toFixed(4);

function unparse(fields: string[], data: string[][]): string {
  const csv = Papa.unparse(
    { fields, data: data.map((row) => row.map(safeCell)) },
    { newline: "\r\n", quotes: false, escapeFormulae: false },
  );
  return `${csv}\r\n`;
}

/**
 * A campaign's metrics as CSV: one row per stage and one "All stages" row; for each metric
 * people, rate (÷ all prospects) and, per stage, rate of reached (÷ people the stage reached).
 */
export function campaignMetricsCsv(m: CampaignMetrics): string {
  const fields = ["Stage", "Stage id", "Type", "Label", "Prospects", "Reached"];
  for (const name of METRIC_NAMES.filter((n) => n !== "reached")) {
    fields.push(`${name} people`, `${name} rate`, `${name} rate of reached`);
  }
  const rows = m.stages.map((s) => {
    const row = [
      String(s.stageIndex + 1),
      s.stageId,
      s.type,
      s.label,
      String(m.prospects),
      String(s.reached),
    ];
    for (const name of METRIC_NAMES.filter((n) => n !== "reached")) {
      const v = s[name];
      row.push(String(v.people), ratio(v.rate), ratio(v.rateOfReached));
    }
    return row;
  });
  const total = ["All stages", "", "", "", String(m.prospects), String(m.totals.reached.people)];
  for (const name of METRIC_NAMES.filter((n) => n !== "reached")) {
    const v = m.totals[name];
    total.push(String(v.people), ratio(v.rate), "");
  }
  return unparse(fields, [...rows, total]);
}

/** Account-wide metrics as CSV: one row per campaign (ranked by reply rate), then "All campaigns". */
export function teamMetricsCsv(m: TeamMetrics): string {
  const fields = ["Campaign id", "Campaign", "Status", "Prospects"];
  for (const name of METRIC_NAMES) fields.push(`${name} people`, `${name} rate`);
  const row = (
    id: string,
    name: string,
    status: string,
    prospects: number,
    totals: TeamMetrics["totals"],
  ) => {
    const r = [id, name, status, String(prospects)];
    for (const n of METRIC_NAMES) r.push(String(totals[n].people), ratio(totals[n].rate));
    return r;
  };
  return unparse(fields, [
    ...m.byCampaign.map((c) => row(c.campaignId, c.name, c.status, c.prospects, c.totals)),
    row("", "All campaigns", "", m.prospects, m.totals),
  ]);
}
