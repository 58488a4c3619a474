import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import {
  Form,
  Link,
  useLoaderData,
  useNavigation,
  useSearchParams,
  useSubmit,
} from "@remix-run/react";
import { formatDelay } from "@workers/core/engine/schedule";
import { STATUS_LABELS, STATUSES } from "@workers/core/engine/statuses";
import { applyProspectDiff, type LiveRow } from "@workers/core/prospect-list";
import { useEffect, useState } from "react";
import { CampaignMetrics } from "~/components/campaign-metrics";
import { PAGE_SIZE, Rates, stageSummary, windowText } from "~/components/campaign-overview";
import { ActivateWithFindings } from "~/components/deliverability-findings";
import { EnrollPeople } from "~/components/enroll-people";
import { LiveStatus } from "~/components/live-status";
import { Presence } from "~/components/presence";
import { ProspectsTable } from "~/components/prospects-table";
import { CampaignStatusBadge } from "~/components/status-badge";
import { campaignPage, campaignPageAction } from "~/lib/campaign-page.server";
import { formatDate, useNow } from "~/lib/time";
import { useActionNotice } from "~/lib/use-action-notice";
import { useCampaignLive } from "~/lib/use-campaign-live";
import { useLiveRevalidate } from "~/lib/use-live-revalidate";
import styles from "~/styles/campaigns.css?url";
import metricsStyles from "~/styles/metrics.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: metricsStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.campaign.name} · Beacon` : "Campaign · Beacon" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return campaignPage(context.cloudflare.env, request, params.id ?? "");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return campaignPageAction(context.cloudflare.env, request, params.id ?? "");
}

export default function CampaignPage() {
  const data = useLoaderData<typeof loader>();
  const notice = useActionNotice<typeof action>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const busy = useNavigation().state === "submitting";
  const now = useNow(data.now);
  const c = data.campaign;
  const filter = data.filter;

  const [rows, setRows] = useState<LiveRow[]>(data.prospects);
  useEffect(() => setRows(data.prospects), [data.prospects]);
  const refreshCounts = useLiveRevalidate(1_500);
  const reload = useLiveRevalidate(200);
  // Rows change in place; counts, stages, settings and status come with the page's data.
  const live = useCampaignLive(c.id, data.rev, c.version, {
    onDiff: (diff) => {
      setRows((current) =>
        applyProspectDiff(current, diff, {
          filter,
          pageFull: current.length >= PAGE_SIZE || data.query.cursor !== "",
        }),
      );
      if (diff.rows.length > 0 || diff.removed.length > 0) refreshCounts();
    },
    onReload: reload,
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
    : params.has("edited")
      ? "Changes saved."
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
          <Presence campaignId={c.id} mode="viewing" />
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
          <Link to={`/campaigns/${c.id}/edit`} className="button secondary">
            Edit
          </Link>
          {c.status !== "active" ? (
            <ActivateWithFindings stages={data.findings} busy={busy} />
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
            <LiveStatus status={live} />
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

      <CampaignMetrics section={data.metricsSection} />

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
