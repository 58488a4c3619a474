import { Form, Link, useNavigation, useSearchParams } from "@remix-run/react";
import { STATUS_LABELS } from "@workers/core/engine/statuses";
import {
  ACTION_LABELS,
  historyText,
  messageReasonText,
  stageText,
} from "@workers/core/prospect-list";
import { EmailStatusBadge, StatusBadge } from "~/components/status-badge";
import type { OutreachData } from "~/lib/outreach.server";
import { formatDateTime, untilText, useNow } from "~/lib/time";

/**
 * The person profile's "Outreach" section: every campaign the person is in, with status,
 * reason, stage, next time and the quick actions the status allows; and "Add to campaign".
 * Actions post to /people/:id/outreach, which redirects back here with a notice.
 */
export function OutreachSection({
  personId,
  firstName,
  data,
}: {
  personId: string;
  firstName: string;
  data: OutreachData;
}) {
  const [params] = useSearchParams();
  const nav = useNavigation();
  const busy = nav.state !== "idle" && nav.formAction === `/people/${personId}/outreach`;
  const now = useNow(data.now);
  const action = `/people/${personId}/outreach`;
  const notice = params.get("outreach");
  const noticeIsError = params.get("tone") === "error";
  const addable = data.campaigns.filter((c) => !c.enrolled);
  return (
    <section className="card outreach" id="outreach" aria-labelledby="outreach-title">
      <h2 id="outreach-title" style={{ marginTop: 0 }}>
        Outreach
      </h2>
      {notice ? (
        <div className={noticeIsError ? "form-error" : "notice"} role="status">
          {notice}
        </div>
      ) : null}
      {data.entries.length === 0 ? (
        <p className="muted">{firstName} is not in any campaign yet.</p>
      ) : (
        <ul className="outreach-list">
          {data.entries.map((e) => {
            const p = e.prospect;
            const others = data.campaigns.filter((c) => c.id !== e.campaign.id);
            return (
              <li key={e.campaign.id} className="outreach-entry" data-campaign={e.campaign.id}>
                <div className="row-between">
                  <Link to={`/campaigns/${e.campaign.id}`} className="campaign-name">
                    {e.campaign.name}
                  </Link>
                  <StatusBadge status={p.status} />
                </div>
                {p.reasonLabel ? <div className="small reason">{p.reasonLabel}</div> : null}
                <div className="small muted">
                  Stage {stageText(p.stageIndex, e.stageCount)}
                  {e.stageLabel && p.stageIndex < e.stageCount ? ` · ${e.stageLabel}` : ""}
                  {p.nextAt ? (
                    <>
                      {" · next "}
                      <time dateTime={p.nextAt} title={formatDateTime(p.nextAt, data.timeZone)}>
                        {untilText(p.nextAt, now)}
                      </time>{" "}
                      ({formatDateTime(p.nextAt, data.timeZone)})
                    </>
                  ) : null}
                  {e.campaign.status !== "active" ? " · the campaign is not active" : ""}
                </div>
                {e.actions.length > 0 ? (
                  <Form method="post" action={action} className="quick-actions">
                    <input type="hidden" name="intent" value="act" />
                    <input type="hidden" name="campaignId" value={e.campaign.id} />
                    {e.actions.map((a) => (
                      <button
                        key={a}
                        type="submit"
                        name="action"
                        value={a}
                        className={a === "remove" ? "danger" : "secondary"}
                        disabled={busy}
                      >
                        {ACTION_LABELS[a]}
                      </button>
                    ))}
                  </Form>
                ) : null}
                {others.length > 0 ? (
                  <Form method="post" action={action} className="move-form">
                    <input type="hidden" name="intent" value="act" />
                    <input type="hidden" name="action" value="move" />
                    <input type="hidden" name="campaignId" value={e.campaign.id} />
                    <input type="hidden" name="moveId" value={`${data.moveId}-${e.campaign.id}`} />
                    <label htmlFor={`move-${e.campaign.id}`} className="visually-hidden">
                      Move to another campaign
                    </label>
                    <select id={`move-${e.campaign.id}`} name="toCampaignId" defaultValue="">
                      <option value="" disabled>
                        Move to campaign…
                      </option>
                      {others.map((c) => (
                        <option key={c.id} value={c.id}>
                          {c.name}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className="secondary" disabled={busy}>
                      Move
                    </button>
                  </Form>
                ) : null}
                {e.history.length > 0 || e.messages.length > 0 ? (
                  <details className="outreach-more">
                    <summary className="small">History and messages</summary>
                    {e.messages.length > 0 ? (
                      <ul className="mini-list">
                        {e.messages.map((m) => (
                          <li key={m.id}>
                            <EmailStatusBadge status={m.status} />{" "}
                            <span>{m.subject ?? (m.channel === "sms" ? "SMS" : "Email")}</span>
                            <span className="muted small">
                              {" "}
                              ·{" "}
                              {m.sentAt
                                ? `sent ${formatDateTime(m.sentAt, data.timeZone)}`
                                : m.scheduledAt
                                  ? `scheduled ${formatDateTime(m.scheduledAt, data.timeZone)}`
                                  : ""}
                              {m.reason ? ` · ${messageReasonText(m.reason)}` : ""}
                            </span>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                    <ul className="mini-list">
                      {e.history.map((h) => (
                        <li key={h.key} className="small">
                          <span className="muted">{formatDateTime(h.at, data.timeZone)}</span>{" "}
                          {historyText(h.action)}
                          {h.toStatus ? ` → ${STATUS_LABELS[h.toStatus]}` : ""}{" "}
                          <span className="muted">by {h.who}</span>
                        </li>
                      ))}
                    </ul>
                    <Link className="small" to={`/email-log?personId=${personId}`}>
                      All of {firstName}'s messages in the Email Log
                    </Link>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {addable.length > 0 ? (
        <Form method="post" action={action} className="add-to-campaign">
          <input type="hidden" name="intent" value="enroll" />
          <label htmlFor={`add-${personId}`}>Add to campaign</label>
          <div className="inline-form">
            <select id={`add-${personId}`} name="campaignId" defaultValue="">
              <option value="" disabled>
                Choose a campaign
              </option>
              {addable.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <button type="submit" disabled={busy}>
              Add
            </button>
          </div>
          <label className="check-label small">
            <input type="checkbox" name="force" value="1" />
            Add even if busy elsewhere (still going in another campaign, or emailed lately)
          </label>
        </Form>
      ) : data.campaigns.length === 0 ? (
        <p className="small muted">
          <Link to="/campaigns/new">Create a campaign</Link> to reach out to {firstName}.
        </p>
      ) : null}
    </section>
  );
}
