import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
// `data` is the page component's name for its loader data.
import { redirect, data as respond } from "@remix-run/cloudflare";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useRevalidator,
  useSearchParams,
  useSubmit,
} from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { WEEKDAYS } from "@workers/core/campaign-form";
import { cursorParam } from "@workers/core/cursor";
import { formatDelay } from "@workers/core/engine/schedule";
import {
  MAX_PERSON_IDS,
  type ProspectAction,
  ProspectActionNameSchema,
  ProspectFilterSchema,
  type Stage,
} from "@workers/core/engine/schemas";
import { STATUS_LABELS, STATUSES } from "@workers/core/engine/statuses";
import { displayName } from "@workers/core/people";
import {
  applyProspectDiff,
  bulkSummary,
  enrollSummary,
  type LiveRow,
  ProspectCursorSchema,
  splitPastedIds,
  takesTargetCampaign,
} from "@workers/core/prospect-list";
import { findCampaign, peopleForEnrollment } from "@workers/data/campaigns";
import { listMailboxes } from "@workers/data/mailboxes";
import { listMembers } from "@workers/data/members";
import { listPeople } from "@workers/data/people";
import { getTeamSettings } from "@workers/data/teams";
import { db } from "@workers/db/client";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { EnrollPeople } from "~/components/enroll-people";
import { ProspectsTable, type StageSummary } from "~/components/prospects-table";
import { CampaignStatusBadge } from "~/components/status-badge";
import {
  duplicateCampaign,
  enrolledAmong,
  enrollPeople,
  notFound,
  requireTeamCampaign,
  teamCampaignNames,
  teamJobs,
  userActor,
} from "~/lib/campaigns.server";
import { BAD_CURSOR_NOTICE, givenParams, readListQuery } from "~/lib/list-query.server";
import { formatDate, useNow } from "~/lib/time";
import { useCampaignLive } from "~/lib/use-campaign-live";
import styles from "~/styles/campaigns.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.campaign.name} · Beacon` : "Campaign · Beacon" },
];

const PAGE_SIZE = 50;
const ListQuerySchema = ProspectFilterSchema.extend({
  sort: z.enum(["created", "status", "name", "next"]).default("created"),
  cursor: cursorParam(ProspectCursorSchema),
  find: z.string().trim().max(200).optional(),
});

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, params.id ?? "");
  const [view, metrics] = await Promise.all([campaign.stub.view(), campaign.stub.metrics()]);
  if (!view) throw notFound();
  const given = givenParams(request);
  // A stale or hand-edited link shows the first page of everyone rather than an error; a
  // bad cursor keeps the filters, with a notice.
  const checked = readListQuery(ListQuerySchema, given, {});
  const { query } = checked;
  const filter = { status: query.status, stage: query.stage };
  // The Campaign DO reads the cursor itself: it gets the text the URL carried, now checked.
  let list = await campaign.stub.prospects({
    filter,
    sort: query.sort,
    cursor: query.cursor === undefined ? undefined : given.cursor,
    limit: PAGE_SIZE,
  });
  let cursorNotice = checked.cursorNotice;
  if (!list.ok) {
    list = await campaign.stub.prospects({ filter, sort: query.sort, limit: PAGE_SIZE });
    cursorNotice = BAD_CURSOR_NOTICE;
  }
  const d = db(env);
  const [mailboxes, jobs, members, others, settings, found] = await Promise.all([
    listMailboxes(env, actor.teamId),
    teamJobs(env, actor.teamId),
    listMembers(env, actor.teamId),
    teamCampaignNames(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
    query.find ? listPeople(d, actor.teamId, { q: query.find, limit: 20 }) : null,
  ]);
  const page = list.ok ? list.value : { items: [], nextCursor: undefined };
  const already = await enrolledAmong(env, view.id, found?.items.map((p) => p.id) ?? []);
  return respond(
    {
      campaign: view,
      metrics,
      // The mirror's version is never newer than the rows read after it: the live feed
      // catches up from here, so nothing between this read and the socket is missed.
      rev: campaign.row.rev,
      prospects: page.items,
      nextCursor: page.nextCursor ?? null,
      query: {
        status: query.status ?? "",
        stage: query.stage === undefined ? "" : String(query.stage),
        sort: query.sort,
        cursor: query.cursor === undefined || cursorNotice ? "" : (given.cursor ?? ""),
        find: query.find ?? "",
      },
      filter,
      badLink: checked.badLink,
      cursorNotice,
      mailboxNames: Object.fromEntries(mailboxes.map((m) => [m.id, `${m.name} <${m.address}>`])),
      jobTitle: jobs.find((j) => j.id === view.jobId)?.title ?? null,
      ownerName: members.find((m) => m.userId === view.ownerId)?.name ?? null,
      others: others.filter((c) => c.id !== view.id).map((c) => ({ id: c.id, name: c.name })),
      found:
        found?.items.map((p) => ({
          id: p.id,
          name: displayName(p),
          email: p.emails[0]?.address ?? null,
          enrolled: already.has(p.id),
        })) ?? null,
      moveId: crypto.randomUUID(),
      now: Date.now(),
      timeZone: settings.timeZone,
    },
    { status: cursorNotice ? 400 : 200 },
  );
}

const BulkFormSchema = z.object({
  action: ProspectActionNameSchema,
  scope: z.enum(["selected", "all"]).default("selected"),
  personId: z.array(z.string().min(1)).max(MAX_PERSON_IDS),
  status: ProspectFilterSchema.shape.status,
  stage: ProspectFilterSchema.shape.stage,
  toCampaignId: z.string().optional(),
  moveId: z.string().max(128).optional(),
});

type Notice = { kind: "status" | "bulk" | "enroll"; tone: "ok" | "error"; message: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, params.id ?? "");
  const by = userActor(actor.userId);
  const form = await request.formData();
  const intent = form.get("intent");
  const say = (kind: Notice["kind"], message: string, tone: Notice["tone"] = "ok"): Notice => ({
    kind,
    tone,
    message,
  });

  if (intent === "activate" || intent === "disable") {
    await campaign.stub.setStatus(intent === "activate" ? "active" : "disabled", by);
    return say(
      "status",
      intent === "activate"
        ? "Activated: due stages go out now."
        : "Disabled: nothing is sent until it is activated again; every prospect keeps their status.",
    );
  }
  if (intent === "duplicate") {
    const copy = await duplicateCampaign(env, actor, campaign.stub);
    if (!copy) throw notFound();
    throw redirect(`/campaigns/${copy.id}?duplicated=1`);
  }
  if (intent === "enroll") {
    const ids = [
      ...new Set([
        ...form.getAll("pick").filter((v): v is string => typeof v === "string"),
        ...splitPastedIds(String(form.get("pastedIds") ?? "")),
      ]),
    ];
    if (ids.length === 0) {
      return say("enroll", "Tick people in the search results or paste their ids first.", "error");
    }
    if (ids.length > MAX_PERSON_IDS) {
      return say(
        "enroll",
        `At most ${MAX_PERSON_IDS.toLocaleString("en-US")} people at once.`,
        "error",
      );
    }
    const result = await enrollPeople(env, actor.teamId, campaign, ids, by);
    return say("enroll", enrollSummary(result, result.names));
  }
  if (intent === "bulk") {
    const parsed = BulkFormSchema.safeParse({
      action: form.get("action"),
      scope: form.get("scope") ?? undefined,
      personId: form.getAll("personId"),
      status: form.get("status") || undefined,
      stage: form.get("stage") || undefined,
      toCampaignId: form.get("toCampaignId") || undefined,
      moveId: form.get("moveId") || undefined,
    });
    if (!parsed.success) {
      return say("bulk", parsed.error.issues.map((i) => i.message).join(" "), "error");
    }
    const b = parsed.data;
    if (b.scope === "selected" && b.personId.length === 0) {
      return say("bulk", "Tick at least one prospect, or choose “All matching”.", "error");
    }
    if (takesTargetCampaign(b.action)) {
      if (!b.toCampaignId) return say("bulk", "Choose the other campaign.", "error");
      // Another team's campaign id is not found, as everywhere else.
      if (!(await findCampaign(db(env), actor.teamId, b.toCampaignId))) throw notFound();
    }
    const filters =
      b.status || b.stage !== undefined ? { status: b.status, stage: b.stage } : undefined;
    const act: ProspectAction = {
      action: b.action,
      ...(b.scope === "all" ? { all: true, filters } : { personIds: b.personId }),
      toCampaignId: b.toCampaignId,
      moveId: b.action === "move" ? (b.moveId ?? crypto.randomUUID()) : undefined,
    };
    const result = await campaign.stub.act(act, by);
    if (!result.ok) return say("bulk", result.message, "error");
    const refusedIds = result.value.refused.map((r) => r.personId);
    const people = await peopleForEnrollment(db(env), actor.teamId, refusedIds.slice(0, 500));
    const names = new Map([...people.values()].map((p) => [p.personId, p.name]));
    return say(
      "bulk",
      bulkSummary(
        {
          applied: result.value.applied.length,
          refused: result.value.refused,
          notes: result.value.notes,
        },
        names,
      ),
      result.value.applied.length === 0 && refusedIds.length > 0 ? "error" : "ok",
    );
  }
  return say("status", "Unknown action: reload the page and try again.", "error");
}

function stageSummary(s: Stage): StageSummary {
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

function Rates({
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

function windowText(w: { days: number[]; start: string; end: string }) {
  const days = WEEKDAYS.filter((d) => w.days.includes(d.value))
    .map((d) => d.short)
    .join(", ");
  return `${days} ${w.start}–${w.end}`;
}

/** Refreshes the header counts a few seconds after live changes, at most that often. */
function useThrottledRevalidate(ms: number) {
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

export default function CampaignPage() {
  const data = useLoaderData<typeof loader>();
  const notice = useActionData<typeof action>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const busy = useNavigation().state === "submitting";
  const now = useNow(data.now);
  const c = data.campaign;
  const filter = data.filter;

  const [rows, setRows] = useState<LiveRow[]>(data.prospects);
  useEffect(() => setRows(data.prospects), [data.prospects]);
  const refreshCounts = useThrottledRevalidate(4_000);
  const live = useCampaignLive(c.id, data.rev, (diff) => {
    setRows((current) =>
      applyProspectDiff(current, diff, {
        filter,
        pageFull: current.length >= PAGE_SIZE || data.query.cursor !== "",
      }),
    );
    refreshCounts();
  });

  const stages = c.stages.map(stageSummary);
  const total = c.prospectCount;
  const matching =
    filter.stage !== undefined
      ? null
      : filter.status
        ? (c.statusCounts[filter.status] ?? 0)
        : total;
  const keep = Object.fromEntries(
    Object.entries({
      status: data.query.status,
      stage: data.query.stage,
      sort: data.query.sort,
    }).filter(([, v]) => v !== ""),
  );
  const listHref = (extra: Record<string, string>) => {
    const sp = new URLSearchParams({ ...keep, ...extra });
    return `/campaigns/${c.id}?${sp}`;
  };
  const flash = params.has("created")
    ? "Campaign created."
    : params.has("duplicated")
      ? "This is a draft copy. Activate it when it is ready."
      : null;

  return (
    <div className="campaign-page">
      <p className="small">
        <Link to="/campaigns">← Campaigns</Link>
      </p>
      <header className="campaign-head">
        <div className="title-block">
          <h1>{c.name}</h1>
          <div className="head-meta">
            <CampaignStatusBadge status={c.status} />
            {c.shared ? <span className="badge">Shared</span> : null}
            <span className="muted small">
              {data.ownerName ? `Owner ${data.ownerName}` : "No owner"}
              {data.jobTitle ? ` · ${data.jobTitle}` : ""}
              {c.jobStage ? ` · ${c.jobStage}` : ""}
              {` · created ${formatDate(c.createdAt, data.timeZone)}`}
            </span>
          </div>
        </div>
        <div className="head-actions">
          {c.status !== "active" ? (
            <Form method="post">
              <button type="submit" name="intent" value="activate" disabled={busy}>
                Activate
              </button>
            </Form>
          ) : (
            <Form method="post">
              <button
                type="submit"
                name="intent"
                value="disable"
                className="secondary"
                disabled={busy}
              >
                Disable
              </button>
            </Form>
          )}
          <Form method="post">
            <button
              type="submit"
              name="intent"
              value="duplicate"
              className="secondary"
              disabled={busy}
            >
              Duplicate
            </button>
          </Form>
        </div>
      </header>
      {flash ? (
        <div className="notice" role="status">
          {flash}
        </div>
      ) : null}
      {data.badLink ? (
        <div className="notice" role="status">
          That link had a filter we could not read, so everyone is shown.
        </div>
      ) : null}
      {data.cursorNotice ? (
        <div className="notice" role="status">
          {data.cursorNotice}
        </div>
      ) : null}
      {notice?.kind === "status" ? (
        <div className={notice.tone === "error" ? "form-error" : "notice"} role="status">
          {notice.message}
        </div>
      ) : null}

      <div className="campaign-overview">
        <section className="card" aria-labelledby="stages-title">
          <h2 id="stages-title" className="card-title">
            Stages
          </h2>
          <ol className="stage-steps">
            {c.stages.map((s, i) => (
              <li key={s.id}>
                <span className="stage-number">{i + 1}</span>
                <div>
                  <div>
                    <strong>{stages[i].type}</strong>{" "}
                    <span className="muted small">
                      {s.delayMinutes === 0
                        ? i === 0
                          ? "at once"
                          : "right after the previous stage"
                        : `${formatDelay(s.delayMinutes)} ${i === 0 ? "after enrolling" : "later"}`}
                    </span>
                  </div>
                  {s.type === "email" ? (
                    <div className="small stage-detail">
                      “{s.subject}”
                      <span className="muted">
                        {" "}
                        · from{" "}
                        {s.mailboxId
                          ? (data.mailboxNames[s.mailboxId] ?? "a removed mailbox")
                          : "no mailbox"}
                        {s.sameThread ? " · same thread" : ""}
                      </span>
                    </div>
                  ) : s.type === "sms" ? (
                    <div className="small stage-detail muted">{s.body.slice(0, 80)}</div>
                  ) : (
                    <div className="small stage-detail">{s.title}</div>
                  )}
                  {s.type !== "call" && s.type !== "task" && data.metrics.stages[i] ? (
                    <div className="small muted">
                      <Rates set={data.metrics.stages[i]} />
                    </div>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
          <p className="muted small settings-line">
            {c.businessDaysOnly ? "Business days only" : "Any day"}
            {c.sendingWindow ? ` · window ${windowText(c.sendingWindow)}` : " · any time of day"}
            {` · opens ${c.trackOpens ? "tracked" : "not tracked"}`}
            {c.unsubscribeLink ? " · unsubscribe link" : ""}
          </p>
        </section>
        <section className="card" aria-labelledby="counts-title">
          <div className="row-between">
            <h2 id="counts-title" className="card-title">
              Prospects
            </h2>
            <span className={`live-dot ${live}`} title="Live updates">
              {live === "live"
                ? "Live"
                : live === "connecting"
                  ? "Connecting…"
                  : "Offline, retrying"}
            </span>
          </div>
          <ul className="count-chips">
            <li>
              <Link to={`/campaigns/${c.id}`} className={filter.status ? "" : "current"}>
                <strong>{total}</strong> All
              </Link>
            </li>
            {STATUSES.filter((s) => (c.statusCounts[s] ?? 0) > 0).map((s) => (
              <li key={s}>
                <Link to={listHref({ status: s })} className={filter.status === s ? "current" : ""}>
                  <strong>{c.statusCounts[s]}</strong> {STATUS_LABELS[s]}
                </Link>
              </li>
            ))}
          </ul>
          <p className="small muted totals">
            Across all stages: <Rates set={data.metrics.totals} />
          </p>
        </section>
      </div>

      <EnrollPeople
        find={data.query.find}
        found={data.found}
        keep={keep}
        notice={notice?.kind === "enroll" ? notice : null}
        open={data.query.find !== "" || notice?.kind === "enroll" || total === 0}
      />

      <section aria-labelledby="prospects-title" className="prospects-section">
        <h2 id="prospects-title">Prospects</h2>
        <Form
          method="get"
          className="prospect-filters"
          key={`${data.query.status}|${data.query.stage}|${data.query.sort}`}
          onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}
        >
          <div>
            <label htmlFor="p-status">Status</label>
            <select id="p-status" name="status" defaultValue={data.query.status}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="p-stage">Stage</label>
            <select id="p-stage" name="stage" defaultValue={data.query.stage}>
              <option value="">Any stage</option>
              {stages.map((s, i) => (
                <option key={c.stages[i].id} value={i}>
                  {i + 1}. {s.label.slice(0, 40)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="p-sort">Sort by</label>
            <select id="p-sort" name="sort" defaultValue={data.query.sort}>
              <option value="created">Enrolled</option>
              <option value="name">Name</option>
              <option value="status">Status</option>
              <option value="next">Next due</option>
            </select>
          </div>
          <noscript>
            <button type="submit" className="secondary">
              Apply
            </button>
          </noscript>
        </Form>
        <ProspectsTable
          campaignId={c.id}
          rows={rows}
          stages={stages}
          filter={filter}
          matching={matching}
          others={data.others}
          moveId={data.moveId}
          now={now}
          timeZone={data.timeZone}
          notice={notice?.kind === "bulk" ? notice : null}
        />
        <nav className="pager" aria-label="Pages">
          {data.query.cursor ? <Link to={listHref({})}>← First page</Link> : <span />}
          {data.nextCursor ? (
            <Link to={listHref({ cursor: data.nextCursor })}>Next page →</Link>
          ) : null}
        </nav>
      </section>
    </div>
  );
}
