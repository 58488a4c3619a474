import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { dailySeries } from "@workers/metrics/query";
import { dashboardCsvQuery } from "~/lib/dashboard.server";
import { csvResponse, dailySeriesCsv } from "~/lib/dashboard-csv";

/** /dashboard/daily.csv: the dashboard's daily series (its chart range), signed in. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const q = await dashboardCsvQuery(env, request);
  const points = await dailySeries(env, { ...q.query, ...q.range });
  return csvResponse(dailySeriesCsv(points), "beacon-daily.csv");
}
