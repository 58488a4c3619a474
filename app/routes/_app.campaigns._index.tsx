import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { type ProspectStatus, STATUS_LABELS, STATUSES } from "@workers/core/engine/statuses";
import { applyCampaignEntries } from "@workers/core/live-feed";
import { CAMPAIGN_STATUS_LABELS } from "@workers/core/prospect-list";
import { CampaignListQuerySchema, listCampaigns } from "@workers/data/campaigns";
import { listMembers } from "@workers/data/members";
import { getTeamSettings } from "@workers/data/teams";
import { loadUsageFigure } from "@workers/data/usage";
import { db } from "@workers/db/client";
import { useEffect, useState } from "react";
import { FilterSelect, JobStageOptions } from "~/components/filter-fields";
import { LiveStatus } from "~/components/live-status";
import { Notice } from "~/components/notice";
import { CampaignStatusBadge } from "~/components/status-badge";
import { UsageMeter } from "~/components/usage-meter";
import { teamJobs } from "~/lib/campaigns.server";
import { givenParams, readListQuery } from "~/lib/list-query.server";
import { formatDate } from "~/lib/time";
import { useAccountFeed } from "~/lib/use-live-feed";
import { useLiveRevalidate } from "~/lib/use-live-revalidate";
import styles from "~/styles/campaigns.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Campaigns · Beacon" }];

const PAGE_SIZE = 50;
const FILTER_KEYS = ["owner", "status", "shared", "job", "jobStage", "sort"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const given = givenParams(request);
  // A stale or hand-edited link shows the unfiltered list rather than an error page; a bad
  // cursor keeps the filters and shows their first page.
  const { query, cursorNotice, badLink, status } = readListQuery(
    CampaignListQuerySchema,
    { ...given, limit: String(PAGE_SIZE) },
    {},
  );
  const [page, members, jobs, settings, usage] = await Promise.all([
    listCampaigns(db(env), actor.teamId, { ...query, limit: PAGE_SIZE }),
    listMembers(env, actor.teamId),
    teamJobs(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
    loadUsageFigure(env, actor.teamId),
  ]);
  const filters = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, badLink ? "" : (given[k] ?? "")]),
  ) as Record<(typeof FILTER_KEYS)[number], string>;
  return data(
    {
      page,
      members: members.map((m) => ({ userId: m.userId, name: m.name })),
      jobs,
      filters,
      cursor: query.cursor === undefined ? null : (given.cursor ?? null),
      badLink,
      cursorNotice,
      timeZone: settings.timeZone,
      usage,
    },
    { status },
  );
}

const COUNT_ORDER: ProspectStatus[] = [...STATUSES];

function StatusCounts({ counts }: { counts: Record<string, number> }) {
  const shown = COUNT_ORDER.filter((s) => (counts[s] ?? 0) > 0);
  if (shown.length === 0) return <span className="muted">No prospects</span>;
  return (
    <span className="mini-counts">
      {shown.map((s) => (
        <span key={s}>
          {counts[s]} {STATUS_LABELS[s]}
        </span>
      ))}
    </span>
  );
}

function pageHref(filters: Record<string, string>, cursor?: string) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) sp.set(k, v);
  if (cursor) sp.set("cursor", cursor);
  const s = sp.toString();
  return s ? `/campaigns?${s}` : "/campaigns";
}

export default function Campaigns() {
  const { page, members, jobs, filters, cursor, badLink, cursorNotice, timeZone, usage } =
    useLoaderData<typeof loader>();
  const submit = useSubmit();
  const loading = useNavigation().state === "loading";
  // Prospect totals, counts, status and names follow the team feed in place.
  const [items, setItems] = useState(page.items);
  useEffect(() => setItems(page.items), [page.items]);
  const revalidate = useLiveRevalidate(200);
  const live = useAccountFeed({
    onEntries: (entries) => setItems((current) => applyCampaignEntries(current, entries)),
    onSnapshot: revalidate,
  });
  const ownerName = new Map(members.map((m) => [m.userId, m.name]));
  const jobTitle = new Map(jobs.map((j) => [j.id, j.title]));
  const filtered = FILTER_KEYS.some((k) => k !== "sort" && filters[k]);
  const stageJobs = filters.job ? jobs.filter((j) => j.id === filters.job) : jobs;
  return (
    <div>
      <div className="row-between page-head">
        <div className="title-live">
          <h1>Campaigns</h1>
          <LiveStatus status={live} />
        </div>
        <Link to="/campaigns/new" className="button">
          New campaign
        </Link>
      </div>
      <UsageMeter usage={usage} compact />
      <Notice>
        {badLink ? "That link had a filter we could not read, so all campaigns are shown." : null}
      </Notice>
      <Notice>{cursorNotice}</Notice>
      <Form
        method="get"
        className="card filters"
        aria-label="Filter and sort campaigns"
        key={JSON.stringify(filters)}
        onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}
      >
        <div className="filter-grid">
          <FilterSelect
            id="f-owner"
            label="Owner"
            name="owner"
            value={filters.owner}
            anyLabel="Anyone"
            options={members.map((m) => ({ value: m.userId, label: m.name }))}
          />
          <FilterSelect
            id="f-status"
            label="Status"
            name="status"
            value={filters.status}
            anyLabel="Any"
            options={Object.entries(CAMPAIGN_STATUS_LABELS).map(([value, label]) => ({
              value,
              label,
            }))}
          />
          <div>
            <label htmlFor="f-shared">Shared</label>
            <select id="f-shared" name="shared" defaultValue={filters.shared}>
              <option value="">Any</option>
              <option value="true">Shared with the team</option>
              <option value="false">Not shared</option>
            </select>
          </div>
          <FilterSelect
            id="f-job"
            label="Job"
            name="job"
            value={filters.job}
            anyLabel="Any job"
            options={jobs.map((j) => ({ value: j.id, label: j.title }))}
          />
          <div>
            <label htmlFor="f-stage">Job stage</label>
            <select id="f-stage" name="jobStage" defaultValue={filters.jobStage}>
              <option value="">Any stage</option>
              <JobStageOptions jobs={stageJobs} />
            </select>
          </div>
          <div>
            <label htmlFor="f-sort">Sort by</label>
            <select id="f-sort" name="sort" defaultValue={filters.sort || "created"}>
              <option value="created">Newest first</option>
              <option value="name">Name</option>
              <option value="status">Status</option>
              <option value="prospects">Most prospects</option>
              <option value="stages">Most stages</option>
            </select>
          </div>
        </div>
        <noscript>
          <button type="submit" className="secondary filter-apply" disabled={loading}>
            Apply
          </button>
        </noscript>
        {filtered ? (
          <div className="filter-actions">
            <Link to="/campaigns">Clear filters</Link>
          </div>
        ) : null}
      </Form>
      {page.items.length === 0 ? (
        <div className="card empty-state">
          {filtered || cursor ? (
            <>
              <p>No campaign matches these filters.</p>
              <Link to="/campaigns" className="button secondary">
                Clear filters
              </Link>
            </>
          ) : (
            <>
              <h2>No campaigns yet</h2>
              <p className="muted">
                A campaign sends a sequence of emails, SMS, calls and tasks to the people you
                enroll, and stops for each person who replies.
              </p>
              <Link to="/campaigns/new" className="button">
                New campaign
              </Link>
            </>
          )}
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="responsive campaign-table">
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Status</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Job</th>
                  <th scope="col">Stages</th>
                  <th scope="col">Prospects</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-campaign={c.id}>
                    <td>
                      <Link to={`/campaigns/${c.id}`} className="campaign-name">
                        {c.name}
                      </Link>
                      {c.shared ? <span className="badge shared-badge">Shared</span> : null}
                    </td>
                    <td data-label="Status">
                      <CampaignStatusBadge status={c.status} />
                    </td>
                    <td data-label="Owner">
                      {(c.ownerId && ownerName.get(c.ownerId)) ?? <span className="muted">—</span>}
                    </td>
                    <td data-label="Job">
                      {c.jobId ? (
                        <>
                          {jobTitle.get(c.jobId) ?? "A job"}
                          {c.jobStage ? <span className="muted"> · {c.jobStage}</span> : null}
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td data-label="Stages">{c.stageCount}</td>
                    <td data-label="Prospects">
                      <strong>{c.prospectCount}</strong> <StatusCounts counts={c.statusCounts} />
                    </td>
                    <td data-label="Created">{formatDate(c.createdAt, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link to={pageHref(filters)}>← First page</Link> : <span />}
            {page.nextCursor ? (
              <Link to={pageHref(filters, page.nextCursor)}>Next page →</Link>
            ) : null}
          </nav>
        </>
      )}
    </div>
  );
}
