import {
  type ActionFunctionArgs,
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { EMAIL_STATUS_LABELS, EMAIL_STATUSES } from "@workers/core/engine/statuses";
import { applyEmailEntries, type EmailRow } from "@workers/core/live-feed";
import { messageReasonText, RETRYABLE_MESSAGE_STATUSES } from "@workers/core/prospect-list";
import { EmailLogQuerySchema, listEmailLog, personName } from "@workers/data/email-log";
import { resendAccount } from "@workers/data/resend-account";
import { getTeamSettings } from "@workers/data/teams";
import { describeSimulation, SimulateKindSchema, simulateInbound } from "@workers/inbound/simulate";
import { useEffect, useState } from "react";
import { z } from "zod";
import { CampaignFilter, FilterSelect } from "~/components/filter-fields";
import { LiveStatus } from "~/components/live-status";
import { Notice } from "~/components/notice";
import { SimulateActions } from "~/components/simulate-actions";
import { EmailStatusBadge } from "~/components/status-badge";
import { teamCampaignNames } from "~/lib/campaigns.server";
import { messageAction } from "~/lib/email-log.server";
import { givenParams, readListQuery } from "~/lib/list-query.server";
import { formatDateTime } from "~/lib/time";
import { useActionNotice } from "~/lib/use-action-notice";
import { useAccountFeed } from "~/lib/use-live-feed";
import { useLiveRevalidate } from "~/lib/use-live-revalidate";
import styles from "~/styles/campaigns.css?url";
import mailStyles from "~/styles/inbound-mail.css?url";

const PAGE_SIZE = 50;

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: mailStyles },
];
export const meta: MetaFunction = () => [{ title: "Email Log · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const given = givenParams(request);
  // A stale or hand-edited link shows the whole log rather than an error page.
  const { query, cursorNotice, badLink, status } = readListQuery(
    EmailLogQuerySchema,
    { ...given, limit: String(PAGE_SIZE) },
    { limit: PAGE_SIZE },
  );
  const [page, campaigns, settings, person] = await Promise.all([
    listEmailLog(env, actor.teamId, query),
    teamCampaignNames(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
    query.personId ? personName(env, actor.teamId, query.personId) : null,
  ]);
  return data(
    {
      page,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
      query: {
        campaignId: query.campaignId ?? "",
        status: query.status ?? "",
        personId: query.personId ?? "",
        person: query.person ?? "",
        cursor: query.cursor ? (given.cursor ?? "") : "",
      },
      personName: person,
      badLink,
      cursorNotice,
      timeZone: settings.timeZone,
      // Local development only: the sink's sent emails can be answered from here.
      simulate: resendAccount(env) === null,
    },
    { status },
  );
}

const MessageActionSchema = z.object({
  intent: z.enum(["cancel", "retry"], { error: "Choose cancel or retry" }),
  messageId: z.string().trim().min(1, "Which message?"),
  bypassValidation: z.literal("1").optional(),
});

const SimulateSchema = z.object({
  intent: z.literal("simulate"),
  messageId: z.string().trim().min(1, "Which message?"),
  kind: SimulateKindSchema,
});

/** "Simulate reply / out-of-office / bounce" (sink only): the mail goes through `email()`. */
async function simulateAction(env: Env, teamId: string, form: Record<string, unknown>) {
  const parsed = SimulateSchema.safeParse(form);
  if (!parsed.success) {
    return { tone: "error" as const, message: parsed.error.issues.map((i) => i.message).join(" ") };
  }
  const { messageId, kind } = parsed.data;
  const result = await simulateInbound(env, teamId, messageId, kind);
  if (!result.ok && result.code === "not_found")
    throw new Response(result.message, { status: 404 });
  if (!result.ok) return { tone: "error" as const, message: `Not simulated: ${result.message}` };
  return { tone: "ok" as const, ...describeSimulation(result) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "simulate") return simulateAction(env, actor.teamId, form);
  const parsed = MessageActionSchema.safeParse(form);
  if (!parsed.success) {
    return { tone: "error" as const, message: parsed.error.issues.map((i) => i.message).join(" ") };
  }
  const { intent, messageId, bypassValidation } = parsed.data;
  const { row, result } = await messageAction(env, actor, {
    intent,
    messageId,
    bypassValidation: bypassValidation === "1",
  });
  const to = row.to ?? (await personName(env, actor.teamId, row.personId)) ?? "this person";
  if (!result.ok) {
    return { tone: "error" as const, message: `Not done: ${result.message}` };
  }
  return {
    tone: "ok" as const,
    message:
      intent === "cancel"
        ? `Canceled the email to ${to}. They are now Not Delivered: Skip or Retry them from their profile or the campaign.`
        : `Retrying the email to ${to}${bypassValidation ? " without validating the address" : ""}: it is attempted again now.`,
  };
}

type LiveLogRow =
  | ReturnType<typeof useLoaderData<typeof loader>>["page"]["items"][number]
  | EmailRow;

function pageHref(query: Record<string, string>, cursor?: string) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v && k !== "cursor") sp.set(k, v);
  if (cursor) sp.set("cursor", cursor);
  const s = sp.toString();
  return s ? `/email-log?${s}` : "/email-log";
}

export default function EmailLog() {
  const { page, campaigns, query, personName, badLink, cursorNotice, timeZone, simulate } =
    useLoaderData<typeof loader>();
  const notice = useActionNotice<typeof action>();
  const nav = useNavigation();
  const submit = useSubmit();
  const busyId = nav.state === "submitting" ? nav.formData?.get("messageId") : null;
  const filtered = Boolean(query.campaignId || query.status || query.personId || query.person);
  const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
  // Rows follow the team feed: they change status in place, leave when they stop matching
  // the filters, and new ones appear on top of the newest page.
  const [rows, setRows] = useState<LiveLogRow[]>(page.items);
  const [loadedAt, setLoadedAt] = useState(0);
  useEffect(() => {
    setRows(page.items);
    setLoadedAt(page.items.length < PAGE_SIZE ? 0 : Date.now() - 60_000);
  }, [page.items]);
  const revalidate = useLiveRevalidate(200);
  const live = useAccountFeed({
    onEntries: (entries) =>
      setRows((current) =>
        applyEmailEntries(current, entries, {
          filter: {
            campaignId: query.campaignId || undefined,
            personId: query.personId || undefined,
            status: query.status || undefined,
          },
          // A name search cannot be checked here: only shown rows change.
          addNew: query.cursor === "" && query.person === "",
          addCreatedAfter: loadedAt,
        }),
      ),
    onSnapshot: revalidate,
  });
  return (
    <div>
      <div className="title-live">
        <h1>Email Log</h1>
        <LiveStatus status={live} />
      </div>
      <Notice>
        {badLink ? "That link had a filter we could not read, so the whole log is shown." : null}
      </Notice>
      <Notice>{cursorNotice}</Notice>
      <Notice error={notice?.tone === "error"}>
        {notice ? (
          <>
            {notice.message}
            {"detail" in notice && notice.detail ? (
              <div className="small notice-detail">{notice.detail}</div>
            ) : null}
          </>
        ) : null}
      </Notice>
      <Form
        method="get"
        className="card filters"
        aria-label="Filter the Email Log"
        key={`${query.campaignId}|${query.status}|${query.person}|${query.personId}`}
        onChange={(e) => {
          // Typing in the search box waits for Enter; the selects apply at once.
          if (e.target instanceof HTMLSelectElement) submit(e.currentTarget);
        }}
      >
        {query.personId ? <input type="hidden" name="personId" value={query.personId} /> : null}
        <div className="filter-grid">
          <CampaignFilter id="l-campaign" value={query.campaignId} campaigns={campaigns} />
          <FilterSelect
            id="l-status"
            label="Status"
            name="status"
            value={query.status}
            anyLabel="Any status"
            options={EMAIL_STATUSES.map((s) => ({ value: s, label: EMAIL_STATUS_LABELS[s] }))}
          />
          <div className="wide-on-phone">
            <label htmlFor="l-person">Person</label>
            <input
              id="l-person"
              type="search"
              name="person"
              defaultValue={query.person}
              placeholder="Name or address"
              maxLength={200}
            />
          </div>
        </div>
        <div className="filter-actions">
          <button type="submit" className="secondary">
            Apply
          </button>
          {filtered ? <Link to="/email-log">Clear filters</Link> : null}
        </div>
        {query.personId ? (
          <p className="small" style={{ margin: "0.5rem 0 0" }}>
            Messages to <strong>{personName ?? "a person no longer in your team"}</strong> ·{" "}
            <Link to={pageHref({ ...query, personId: "" })}>everyone</Link>
          </p>
        ) : null}
      </Form>
      {rows.length === 0 ? (
        <div className="card empty-state">
          <p>
            {filtered
              ? "No message matches these filters."
              : "No messages yet. Every email a campaign schedules or sends shows here."}
          </p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="responsive log-table">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Scheduled</th>
                <th scope="col">Sent</th>
                <th scope="col">Reason</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => {
                const reason = messageReasonText(m.reason);
                const busy = busyId === m.id;
                return (
                  <tr key={m.id} data-message={m.id} data-status={m.status}>
                    <td>
                      <div className="to-cell">
                        {m.personName ? (
                          <Link to={`/people/${m.personId}`} className="person-name">
                            {m.personName}
                          </Link>
                        ) : null}
                        <span className="muted small">
                          {m.to ??
                            (m.status === "waiting" ? "address chosen when sent" : "no address")}
                        </span>
                      </div>
                    </td>
                    <td data-label="Subject">
                      {m.channel === "sms" ? <span className="badge">SMS</span> : null}{" "}
                      {m.subject ?? <span className="muted">—</span>}
                      <div className="muted small">
                        <Link to={`/campaigns/${m.campaignId}`}>
                          {m.campaignName ?? campaignName.get(m.campaignId) ?? "A campaign"}
                        </Link>
                      </div>
                    </td>
                    <td data-label="Status">
                      <EmailStatusBadge status={m.status} />
                      {m.repliedAt ? <span className="badge ok">Replied</span> : null}
                      {m.openedAt && !m.repliedAt ? <span className="badge">Opened</span> : null}
                    </td>
                    <td data-label="Scheduled" className="when">
                      {formatDateTime(m.scheduledAt, timeZone)}
                    </td>
                    <td data-label="Sent" className={m.sentAt ? "when" : "when empty"}>
                      {formatDateTime(m.sentAt, timeZone)}
                    </td>
                    <td
                      data-label="Reason"
                      className={reason ? "reason-cell" : "reason-cell empty"}
                    >
                      {reason ?? <span className="muted">—</span>}
                    </td>
                    <td className="row-actions">
                      {m.status === "waiting" ? (
                        <Form method="post" preventScrollReset>
                          <input type="hidden" name="messageId" value={m.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="cancel"
                            className="danger cancel-x"
                            title="Cancel this scheduled email"
                            aria-label={`Cancel the scheduled email to ${m.to ?? "this person"}`}
                            disabled={busy}
                          >
                            ✕ <span className="cancel-word">Cancel</span>
                          </button>
                        </Form>
                      ) : null}
                      {RETRYABLE_MESSAGE_STATUSES.includes(m.status) ? (
                        <Form method="post" preventScrollReset className="retry-form">
                          <input type="hidden" name="messageId" value={m.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="retry"
                            className="secondary"
                            disabled={busy}
                          >
                            Retry
                          </button>
                          {m.status === "held" ? (
                            <label className="check-label small">
                              <input type="checkbox" name="bypassValidation" value="1" />
                              bypass validation
                            </label>
                          ) : null}
                        </Form>
                      ) : null}
                      {simulate ? <SimulateActions message={m} disabled={busy} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {query.cursor ? <Link to={pageHref(query)}>← Newest</Link> : <span />}
        {page.nextCursor ? <Link to={pageHref(query, page.nextCursor)}>Older →</Link> : null}
      </nav>
    </div>
  );
}
