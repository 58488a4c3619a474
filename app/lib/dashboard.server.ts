// The team dashboard's server side: filters checked against the team's own owners, jobs
// and mailboxes; the figures, the ranking, the daily series and the sender health.
import { parseWithZod } from "@conform-to/zod/v4";
import { data as respond } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { clock } from "@workers/clock";
import { senderHealth } from "@workers/core/deliverability/thresholds";
import { listMailboxes } from "@workers/data/mailboxes";
import { listMembers } from "@workers/data/members";
import { getTeamSettings } from "@workers/data/teams";
import { dailySeries, teamMetrics } from "@workers/metrics/query";
import type { TeamMetricsQuery } from "@workers/metrics/types";
import { teamJobs } from "~/lib/campaigns.server";
import {
  chartRange,
  type DashboardFilters,
  dashboardFiltersSchema,
  FILTER_KEYS,
} from "~/lib/dashboard-filters";

type Choices = { owners: string[]; jobs: string[]; mailboxes: string[] };

/**
 * The URL's filters: conform's result for the form (errors beside their fields) and the
 * filters applied, which leave out every value with an error (the rest still apply).
 */
export function readFilters(params: URLSearchParams, choices: Choices) {
  const schema = dashboardFiltersSchema(choices);
  const submission = parseWithZod(params, { schema });
  if (submission.status === "success") return { submission, applied: submission.value };
  const bad = new Set(Object.keys(submission.error ?? {}).filter((k) => submission.error?.[k]));
  const kept = Object.fromEntries(
    FILTER_KEYS.flatMap((k) => {
      const v = params.get(k)?.trim();
      return v && !bad.has(k) ? [[k, v]] : [];
    }),
  );
  const retried = schema.safeParse(kept);
  const applied: DashboardFilters = retried.success
    ? retried.data
    : { owner: kept.owner, job: kept.job, mailbox: kept.mailbox };
  return { submission, applied };
}

/** The query of H4's metrics functions for the applied filters. */
export function metricsQuery(teamId: string, f: DashboardFilters): TeamMetricsQuery {
  return {
    teamId,
    include: f.include ?? "human",
    ownerId: f.owner,
    jobId: f.job,
    mailboxId: f.mailbox,
    from: f.from,
    to: f.to,
  };
}

/** The team's choices for the filters, by id and label. */
export async function filterChoices(env: Env, teamId: string) {
  const [members, jobs, mailboxes, settings] = await Promise.all([
    listMembers(env, teamId),
    teamJobs(env, teamId),
    listMailboxes(env, teamId),
    getTeamSettings(env, teamId),
  ]);
  return {
    owners: members.map((m) => ({ id: m.userId, label: m.name || m.email })),
    jobs: jobs.map((j) => ({ id: j.id, label: j.title })),
    mailboxes: mailboxes.map((m) => ({
      id: m.id,
      label: `${m.name} <${m.address}>`,
      dailyCap: m.dailyCap,
    })),
    dailyEmailLimit: settings.dailyEmailLimit,
  };
}

const ids = (items: { id: string }[]) => items.map((i) => i.id);

/** The dashboard: team-wide figures under the filters; 400 (with the page) for bad filters. */
export async function dashboardPage(env: Env, request: Request) {
  const actor = await requireMember(request, env);
  const params = new URL(request.url).searchParams;
  const choices = await filterChoices(env, actor.teamId);
  const { submission, applied } = readFilters(params, {
    owners: ids(choices.owners),
    jobs: ids(choices.jobs),
    mailboxes: ids(choices.mailboxes),
  });
  const query = metricsQuery(actor.teamId, applied);
  const range = chartRange(applied, clock.now());
  const [team, series] = await Promise.all([
    teamMetrics(env, query),
    dailySeries(env, { ...query, ...range }),
  ]);
  const sums = series.reduce(
    (s, d) => ({
      sent: s.sent + d.sent,
      bounced: s.bounced + d.bounced,
      complained: s.complained + d.complained,
    }),
    { sent: 0, bounced: 0, complained: 0 },
  );
  const mailbox = choices.mailboxes.find((m) => m.id === applied.mailbox);
  const limit =
    mailbox?.dailyCap != null
      ? { value: mailbox.dailyCap, label: `${mailbox.label}'s daily cap` }
      : { value: choices.dailyEmailLimit, label: "the account's daily limit" };
  const csv = new URLSearchParams(
    Object.entries(applied).filter((e): e is [string, string] => typeof e[1] === "string"),
  ).toString();
  return respond(
    {
      result: submission.reply(),
      applied,
      choices: { owners: choices.owners, jobs: choices.jobs, mailboxes: choices.mailboxes },
      team,
      series,
      range,
      limit,
      health: senderHealth(sums),
      csv,
    },
    { status: submission.status === "error" ? 400 : 200 },
  );
}

/**
 * The CSV downloads' query: the dashboard's filters, signed in. Bad filters answer 422
 * naming them (a download has no page to show the message beside the field).
 */
export async function dashboardCsvQuery(env: Env, request: Request) {
  const actor = await requireMember(request, env);
  const choices = await filterChoices(env, actor.teamId);
  const { submission, applied } = readFilters(new URL(request.url).searchParams, {
    owners: ids(choices.owners),
    jobs: ids(choices.jobs),
    mailboxes: ids(choices.mailboxes),
  });
  if (submission.status === "error") {
    const message = Object.entries(submission.error ?? {})
      .filter((e): e is [string, string[]] => Array.isArray(e[1]))
      .map(([k, v]) => `${k}: ${v.join(" ")}`)
      .join("; ");
    throw new Response(message, { status: 422, headers: { "Content-Type": "text/plain" } });
  }
  return { query: metricsQuery(actor.teamId, applied), range: chartRange(applied, clock.now()) };
}
