import {
  type ActionFunctionArgs,
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useFetcher, useLoaderData, useRevalidator, useSubmit } from "@remix-run/react";
import type { TaskItem } from "@workers/data/tasks";
import { useEffect, useMemo, useRef } from "react";
import { CampaignFilter } from "~/components/filter-fields";
import { Notice } from "~/components/notice";
import { throttle } from "~/lib/live-socket";
import { type TaskNotice, taskAction, tasksPage } from "~/lib/tasks.server";
import { formatDateTime, untilText, useNow } from "~/lib/time";
import { useActionNotice } from "~/lib/use-action-notice";
import { useAccountFeed } from "~/lib/use-live-feed";
import campaignStyles from "~/styles/campaigns.css?url";
import styles from "~/styles/tasks.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: campaignStyles },
  { rel: "stylesheet", href: styles },
];
export const meta: MetaFunction = () => [{ title: "Tasks · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { body, status } = await tasksPage(context.cloudflare.env, request);
  return data(body, { status });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return taskAction(context.cloudflare.env, request);
}

/** Without the live feed, how often the queue is read again while the page is visible. */
const REFRESH_MS = 15_000;
/** Live changes come in bursts (a batch of sends): read the queue once per this. */
const LIVE_THROTTLE_MS = 1_000;

/**
 * Keeps the queue current: the team feed's prospect and campaign changes read it again
 * (at most once a second); while the feed is offline, it is read every 15 s when the tab
 * is visible, and on coming back to it.
 */
function useLiveQueue() {
  const { revalidate } = useRevalidator();
  const refresh = useRef(revalidate);
  refresh.current = revalidate;
  const throttled = useMemo(() => throttle(() => refresh.current(), LIVE_THROTTLE_MS), []);
  useEffect(() => () => throttled.cancel(), [throttled]);
  const status = useAccountFeed({
    onEntries: (entries) => {
      if (entries.some((e) => e.kind !== "usage" && e.kind !== "email")) throttled.call();
    },
    onSnapshot: () => throttled.call(),
  });
  useEffect(() => {
    if (status.online) return;
    const tick = () => {
      if (document.visibilityState === "visible") refresh.current();
    };
    const timer = setInterval(tick, REFRESH_MS);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [status.online]);
}

function pageHref(query: Record<string, string>, patch: Record<string, string>) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, cursor: "", ...patch })) if (v) sp.set(k, v);
  const s = sp.toString();
  return s ? `/tasks?${s}` : "/tasks";
}

function TaskCard({ task, now, timeZone }: { task: TaskItem; now: number; timeZone: string }) {
  const fetcher = useFetcher<TaskNotice>();
  const done = fetcher.state !== "idle" || fetcher.data?.personId === task.personId;
  if (done && fetcher.data?.tone !== "error") return null;
  const due = Date.parse(task.dueAt) <= now;
  return (
    <li className="card task-card" data-task={`${task.campaignId}:${task.personId}`}>
      <div className="task-head">
        <span className={`task-type task-type-${task.type}`}>
          {task.type === "call" ? "Call" : "Task"}
        </span>
        <strong className="task-title">{task.title}</strong>
      </div>
      <div className="task-person">
        <Link to={`/people/${task.personId}`}>{task.personName}</Link>
      </div>
      <dl className="task-context">
        <div>
          <dt>Due</dt>
          <dd className={due ? "task-due" : undefined}>
            {formatDateTime(task.dueAt, timeZone)} · {untilText(task.dueAt, now)}
          </dd>
        </div>
        <div>
          <dt>Campaign</dt>
          <dd>
            <Link to={`/campaigns/${task.campaignId}`}>{task.campaignName}</Link>
          </dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{task.email ? <a href={`mailto:${task.email}`}>{task.email}</a> : "—"}</dd>
        </div>
      </dl>
      {fetcher.data?.tone === "error" ? (
        <div className="form-error" role="status">
          {fetcher.data.message}
        </div>
      ) : null}
      <div className="task-actions">
        {task.phone ? (
          <a className="button secondary" href={`tel:${task.phone}`}>
            Call {task.phone}
          </a>
        ) : (
          <span className="small muted task-no-phone">No phone number</span>
        )}
        <fetcher.Form method="post" className="task-buttons">
          <input type="hidden" name="campaignId" value={task.campaignId} />
          <input type="hidden" name="personId" value={task.personId} />
          <input type="hidden" name="stageId" value={task.stageId} />
          <button type="submit" name="intent" value="complete">
            Complete
          </button>
          <button type="submit" name="intent" value="skip" className="secondary">
            Skip
          </button>
        </fetcher.Form>
      </div>
    </li>
  );
}

export default function Tasks() {
  const {
    page,
    campaigns,
    query,
    badLink,
    cursorNotice,
    now: serverNow,
    timeZone,
  } = useLoaderData<typeof loader>();
  const notice = useActionNotice<typeof action>();
  const submit = useSubmit();
  const now = useNow(serverNow);
  useLiveQueue();
  const tabs = [
    { assignee: "me", label: "Mine" },
    { assignee: "all", label: "Team" },
  ];
  return (
    <div>
      <h1>Tasks</h1>
      <p className="muted">
        Calls and tasks your campaigns are waiting on. Complete or Skip one, and the prospect goes
        on to their next stage.
      </p>
      <Notice>
        {badLink ? "That link had a filter we could not read, so your due tasks are shown." : null}
      </Notice>
      <Notice>{cursorNotice}</Notice>
      <Notice error={notice?.tone === "error"}>{notice?.message}</Notice>
      <nav className="task-tabs" aria-label="Whose tasks">
        {tabs.map((t) => (
          <Link
            key={t.assignee}
            to={pageHref(query, { assignee: t.assignee })}
            className={query.assignee === t.assignee ? "active" : undefined}
            aria-current={query.assignee === t.assignee ? "page" : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <Form
        method="get"
        className="card filters task-filters"
        aria-label="Filter the tasks"
        key={`${query.assignee}|${query.when}|${query.campaignId}`}
        onChange={(e) => submit(e.currentTarget)}
      >
        <input type="hidden" name="assignee" value={query.assignee} />
        <div className="filter-grid">
          <div>
            <label htmlFor="t-when">When</label>
            <select id="t-when" name="when" defaultValue={query.when}>
              <option value="due">Due now</option>
              <option value="upcoming">Coming up</option>
              <option value="all">All</option>
            </select>
          </div>
          <CampaignFilter id="t-campaign" value={query.campaignId} campaigns={campaigns} />
        </div>
        <noscript>
          <button type="submit" className="secondary">
            Apply
          </button>
        </noscript>
      </Form>
      {page.items.length === 0 ? (
        <div className="card empty-state">
          <p>
            {query.when === "upcoming"
              ? "Nothing coming up."
              : query.assignee === "me"
                ? "Nothing due for you. Calls and tasks of your campaigns show here when they come due."
                : "Nothing due for the team."}
          </p>
        </div>
      ) : (
        <ul className="task-list" aria-label="Tasks">
          {page.items.map((t) => (
            <TaskCard
              key={`${t.campaignId}:${t.personId}:${t.stageId}`}
              task={t}
              now={now}
              timeZone={timeZone}
            />
          ))}
        </ul>
      )}
      {page.nextCursor ? (
        <div className="pager">
          <Link className="button secondary" to={pageHref(query, { cursor: page.nextCursor })}>
            Next page
          </Link>
        </div>
      ) : null}
    </div>
  );
}
