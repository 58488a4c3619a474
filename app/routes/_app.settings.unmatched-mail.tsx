import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { UNMATCHED_KEEP_MS, unmatchedMail } from "@workers/data/inbound-mail";
import { getTeamSettings } from "@workers/data/teams";
import { MailKindBadge } from "~/components/inbound-mail";
import { formatDateTime } from "~/lib/time";
import styles from "~/styles/inbound-mail.css?url";

export const meta: MetaFunction = () => [{ title: "Unmatched mail · Settings · Beacon" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env, "admin");
  const [mail, settings] = await Promise.all([
    unmatchedMail(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
  ]);
  return { ...mail, timeZone: settings.timeZone, keepDays: UNMATCHED_KEEP_MS / 86_400_000 };
}

export default function UnmatchedMail() {
  const { items, more, timeZone, keepDays } = useLoaderData<typeof loader>();
  return (
    <section className="card settings-section wide" aria-labelledby="unmatched-heading">
      <h2 id="unmatched-heading" className="card-title">
        Unmatched mail
      </h2>
      <p className="muted small">
        Mail that reached your team's reply or sync addresses but matched no message or person of
        the team. Nothing was done with it. It is kept {keepDays} days, with the raw message, so you
        can see why.
      </p>
      {items.length === 0 ? (
        <p className="muted">No unmatched mail in the last {keepDays} days.</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive unmatched-table">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Kind</th>
                <th scope="col">Why</th>
                <th scope="col">
                  <span className="visually-hidden">Raw message</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id} data-mail={m.id}>
                  <td data-label="Received" className="when">
                    {formatDateTime(m.receivedAt, timeZone)}
                  </td>
                  <td data-label="From" className="addr">
                    {m.from}
                  </td>
                  <td data-label="To" title={m.to} className="addr">
                    {m.mailbox ?? m.to}
                    {m.mailbox ? <div className="muted small">its sync address</div> : null}
                  </td>
                  <td data-label="Subject" className="subject">
                    {m.subject || <span className="muted">(no subject)</span>}
                  </td>
                  <td data-label="Kind">
                    <MailKindBadge kind={m.kind} />
                  </td>
                  <td data-label="Why" className="why">
                    {m.why}
                  </td>
                  <td>
                    {m.hasRaw ? (
                      <a
                        href={`/settings/unmatched-mail/${m.id}/raw`}
                        download={`unmatched-${m.id}.eml`}
                        className="download"
                      >
                        Download .eml
                      </a>
                    ) : (
                      <span className="muted small">raw not kept</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more ? (
        <p className="muted small">
          Showing the newest {items.length}; older unmatched mail is kept until it is {keepDays}{" "}
          days old.
        </p>
      ) : null}
    </section>
  );
}
