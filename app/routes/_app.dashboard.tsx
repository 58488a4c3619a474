import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { percent, shortDay } from "@workers/core/charts/geometry";
import { THRESHOLDS } from "@workers/core/deliverability/thresholds";
import { IncludeToggle, includeNote, useMetricsLive } from "~/components/campaign-metrics";
import { DailyLimitChart } from "~/components/charts/daily-limit-chart";
import { EngagementCharts, MetricFigures, n, peopleCount } from "~/components/metric-figures";
import { CampaignStatusBadge } from "~/components/status-badge";
import { dashboardPage } from "~/lib/dashboard.server";
import { dashboardFiltersSchema } from "~/lib/dashboard-filters";
import metricsStyles from "~/styles/metrics.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: metricsStyles }];
export const meta: MetaFunction = () => [{ title: "Dashboard · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return dashboardPage(context.cloudflare.env, request);
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function FieldError({ errors, id }: { errors?: string[]; id: string }) {
  return errors ? (
    <div className="field-error" id={id}>
      {errors.join(" ")}
    </div>
  ) : null;
}

function Filters({ data }: { data: Data }) {
  const [form, fields] = useForm({
    lastResult: data.result,
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: dashboardFiltersSchema() }),
  });
  const select = (
    meta: typeof fields.owner,
    label: string,
    any: string,
    options: { id: string; label: string }[],
  ) => (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <select {...getSelectProps(meta)} key={meta.key}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError errors={meta.errors} id={meta.errorId} />
    </div>
  );
  return (
    <Form method="get" className="card dashboard-filters" {...getFormProps(form)}>
      {select(fields.owner, "Owner", "Any owner", data.choices.owners)}
      {select(fields.job, "Job", "Any job", data.choices.jobs)}
      {select(fields.mailbox, "Mailbox", "Any mailbox", data.choices.mailboxes)}
      <div className="field">
        <label htmlFor={fields.from.id}>From</label>
        <input {...getInputProps(fields.from, { type: "date" })} key={fields.from.key} />
        <FieldError errors={fields.from.errors} id={fields.from.errorId} />
      </div>
      <div className="field">
        <label htmlFor={fields.to.id}>To</label>
        <input {...getInputProps(fields.to, { type: "date" })} key={fields.to.key} />
        <FieldError errors={fields.to.errors} id={fields.to.errorId} />
      </div>
      {data.applied.include === "all" ? <input type="hidden" name="include" value="all" /> : null}
      <div className="filter-actions">
        <button type="submit">Apply</button>
        <Link to="/dashboard" className="button secondary">
          Clear
        </Link>
      </div>
    </Form>
  );
}

function Health({ data }: { data: Data }) {
  const period = `${shortDay(data.range.from)} – ${shortDay(data.range.to)}`;
  const [bounce, complaint] = data.health;
  const rule = {
    bounce: `Keep bounces at or under ${percent(THRESHOLDS.bounce.warning)}; over ${percent(THRESHOLDS.bounce.alarm)}, mailbox providers throttle or block a sender. Remove addresses that bounce and check where the list came from.`,
    complaint: `Gmail's and Yahoo's sender rules (February 2024): keep the spam complaint rate under ${percent(THRESHOLDS.complaint.alarm)}, ideally under ${percent(THRESHOLDS.complaint.warning)}. Above it, mail goes to spam or is refused.`,
  };
  const verdict = { ok: "Fine", warning: "Warning", alarm: "Over the limit" };
  return (
    <section className="card" aria-labelledby="health-title">
      <h2 id="health-title" className="card-title">
        Sender health, {period}
      </h2>
      {bounce.sent === 0 ? (
        <p className="muted">Nothing was sent in this period.</p>
      ) : (
        <ul className="health">
          {[bounce, complaint].map((h) => (
            <li key={h.metric} className={h.level} data-metric={h.metric} data-level={h.level}>
              <strong>
                {verdict[h.level]}: {h.metric === "bounce" ? "bounce" : "spam complaint"} rate{" "}
                {percent(h.rate)}
              </strong>{" "}
              <span className="muted">
                ({n(h.count)} of {n(h.sent)} messages sent)
              </span>
              <div className="small">{rule[h.metric]}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const t = data.team.totals;
  const include = data.applied.include ?? "human";
  const filtered = data.applied.from || data.applied.to;
  const live = useMetricsLive();
  return (
    <div className="dashboard">
      <div className="row-between">
        <h1>Dashboard</h1>
        <div className="row">
          <span className="small muted">{live.online ? "Live" : "Connecting…"}</span>
          <IncludeToggle include={include} />
        </div>
      </div>
      <Filters data={data} key={location.search} />

      <section className="card" aria-labelledby="figures-title">
        <h2 id="figures-title" className="card-title">
          {n(data.team.campaigns)} campaign{data.team.campaigns === 1 ? "" : "s"},{" "}
          {n(data.team.prospects)} people
        </h2>
        <p className="small muted">
          People who did each at any stage, of all people in the matching campaigns
          {filtered
            ? `, for events from ${data.applied.from ? shortDay(data.applied.from) : "the start"} to ${data.applied.to ? shortDay(data.applied.to) : "today"}`
            : ", all time"}
          . {includeNote(include)}
        </p>
        <MetricFigures totals={t} />
        <EngagementCharts
          totals={t}
          of={{ label: "people in the campaigns", people: data.team.prospects }}
          funnelTitle="All matching campaigns: people reached, opened, clicked and replied"
          series={{
            heading: (
              <>
                Per day, {shortDay(data.range.from)} – {shortDay(data.range.to)}
              </>
            ),
            title: "Messages sent and people who opened or replied, per day",
            points: data.series,
            from: data.range.from,
            to: data.range.to,
          }}
        />
      </section>

      <Health data={data} />

      <section className="card" aria-labelledby="limit-title">
        <h2 id="limit-title" className="card-title">
          Daily sends and the daily limit
        </h2>
        <DailyLimitChart
          title="Messages sent per day against the daily limit"
          points={data.series}
          from={data.range.from}
          to={data.range.to}
          limit={data.limit.value}
          limitLabel={data.limit.label}
        />
        <p className="small muted">
          Days are UTC days; the limit resets at midnight in the account's time zone (Settings).
        </p>
      </section>

      <section className="card" aria-labelledby="ranking-title">
        <div className="row-between">
          <h2 id="ranking-title" className="card-title">
            Campaigns by reply rate
          </h2>
          <div className="csv-links">
            <a
              className="button secondary"
              href={`/dashboard.csv${data.csv ? `?${data.csv}` : ""}`}
            >
              Download CSV
            </a>
            <a
              className="button secondary"
              href={`/dashboard/daily.csv${data.csv ? `?${data.csv}` : ""}`}
            >
              Daily CSV
            </a>
          </div>
        </div>
        {data.team.byCampaign.length === 0 ? (
          <p className="muted">No campaign matches these filters.</p>
        ) : (
          <table className="ranking">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Campaign</th>
                <th scope="col">Replied</th>
                <th scope="col">Opened</th>
                <th scope="col">Reached</th>
                <th scope="col">Bounced</th>
              </tr>
            </thead>
            <tbody>
              {data.team.byCampaign.map((c, i) => (
                <tr key={c.campaignId}>
                  <td data-label="Rank">{i + 1}</td>
                  <th scope="row">
                    <Link to={`/campaigns/${c.campaignId}`}>{c.name}</Link>{" "}
                    <CampaignStatusBadge status={c.status} />
                    <span className="small muted rate-pair">{peopleCount(c.prospects)}</span>
                  </th>
                  {(["replied", "opened", "reached", "bounced"] as const).map((k) => (
                    <td key={k} data-label={k[0].toUpperCase() + k.slice(1)}>
                      <strong>{percent(c.totals[k].rate)}</strong>
                      <span className="small muted rate-pair">
                        {peopleCount(c.totals[k].people)}
                      </span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
