// The dashboard's filters (a GET form): one schema for the browser's check and the
// loader's, which also knows the team's owners, jobs and mailboxes.
import { INCLUDE_VALUES } from "@workers/metrics/types";
import { z } from "zod";

/** The longest date range the dashboard charts (as the daily series allows). */
export const MAX_RANGE_DAYS = 366;
/** Days charted when no range is chosen. */
export const DEFAULT_RANGE_DAYS = 30;

const DAY_MS = 86_400_000;
const DAY_HINT = "Enter a date as YYYY-MM-DD";
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, DAY_HINT)
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, "That date does not exist");

const Id = z.string().trim().max(64, "That id is too long");

const fields = {
  owner: Id.optional(),
  job: Id.optional(),
  mailbox: Id.optional(),
  from: Day.optional(),
  to: Day.optional(),
  include: z.enum(INCLUDE_VALUES, { error: "Choose Human or All" }).optional(),
};

const daysIn = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** The filters, checked against the team's own choices when they are given. */
export function dashboardFiltersSchema(choices?: {
  owners: string[];
  jobs: string[];
  mailboxes: string[];
}) {
  const oneOf = (ids: string[] | undefined, what: string) => (v: string | undefined) =>
    v === undefined || ids === undefined || ids.includes(v) || what;
  return z.object(fields).superRefine((v, ctx) => {
    for (const [key, ids, what] of [
      [
        "owner",
        choices?.owners,
        "No member of this team has that id: choose an owner from the list",
      ],
      ["job", choices?.jobs, "This team has no such job: choose one from the list"],
      ["mailbox", choices?.mailboxes, "This team has no such mailbox: choose one from the list"],
    ] as const) {
      const verdict = oneOf(ids as string[] | undefined, what)(v[key]);
      if (verdict !== true) ctx.addIssue({ code: "custom", path: [key], message: verdict });
    }
    if (v.from && v.to) {
      if (v.to < v.from) {
        ctx.addIssue({
          code: "custom",
          path: ["to"],
          message: "The end date is before the start date",
        });
      } else if (daysIn(v.from, v.to) > MAX_RANGE_DAYS) {
        ctx.addIssue({
          code: "custom",
          path: ["from"],
          message: `Choose at most ${MAX_RANGE_DAYS} days`,
        });
      }
    }
  });
}

export type DashboardFilters = z.infer<ReturnType<typeof dashboardFiltersSchema>>;
export const FILTER_KEYS = Object.keys(fields) as (keyof DashboardFilters)[];

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days the charts cover: the chosen range, completed, or the last 30 days. */
export function chartRange(f: { from?: string; to?: string }, now: number) {
  if (f.from && f.to) return { from: f.from, to: f.to };
  if (f.from) {
    const start = Date.parse(`${f.from}T00:00:00Z`);
    const end = Math.max(start, Math.min(now, start + (MAX_RANGE_DAYS - 1) * DAY_MS));
    return { from: f.from, to: utcDay(end) };
  }
  const end = f.to ?? utcDay(now);
  return {
    from: utcDay(Date.parse(`${end}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS),
    to: end,
  };
}
