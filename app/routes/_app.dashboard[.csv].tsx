import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { teamMetrics } from "@workers/metrics/query";
import { dashboardCsvQuery } from "~/lib/dashboard.server";
import { csvResponse, teamMetricsCsv } from "~/lib/dashboard-csv";

/** /dashboard.csv: the dashboard's figures per campaign, under the same filters, signed in. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const q = await dashboardCsvQuery(env, request);
  return csvResponse(teamMetricsCsv(await teamMetrics(env, q.query)), "beacon-metrics.csv");
}
