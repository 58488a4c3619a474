import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { displayName, PersonFormSchema } from "@workers/core/people";
import { deletePersonEverywhere } from "@workers/data/campaigns";
import { personMail } from "@workers/data/inbound-mail";
import { getPerson, updatePerson } from "@workers/data/people";
import { db } from "@workers/db/client";
import { PersonMailSection } from "~/components/inbound-mail";
import { LiveStatus } from "~/components/live-status";
import { OutreachSection } from "~/components/outreach-section";
import { loadOutreach } from "~/lib/outreach.server";
import { PersonForm } from "~/lib/person-form";
import { usePersonLive } from "~/lib/use-person-live";
import campaignStyles from "~/styles/campaigns.css?url";
import mailStyles from "~/styles/inbound-mail.css?url";
import styles from "~/styles/people.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: campaignStyles },
  { rel: "stylesheet", href: mailStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${displayName(data.person)} · Beacon` : "Person · Beacon" },
];

const notFound = () => new Response("No such person in your team.", { status: 404 });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const person = await getPerson(db(env), actor.teamId, params.id ?? "");
  if (!person) throw notFound();
  const [outreach, mail] = await Promise.all([
    loadOutreach(env, actor.teamId, person.id),
    personMail(env, actor.teamId, person.id),
  ]);
  return { person, outreach, mail };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const id = params.id ?? "";
  // Another team's id is not found, whatever the form holds.
  const person = await getPerson(db(env), actor.teamId, id);
  if (!person) throw notFound();
  const formData = await request.formData();
  if (formData.get("intent") === "delete") {
    if (!(await deletePersonEverywhere(env, actor.teamId, id))) throw notFound();
    throw redirect(`/people?deleted=${encodeURIComponent(displayName(person))}`);
  }
  const submission = parseWithZod(formData, { schema: PersonFormSchema });
  if (submission.status !== "success") return submission.reply();
  const v = submission.value;
  // The form shows every field, so what it leaves empty is cleared.
  const saved = await updatePerson(db(env), actor.teamId, id, {
    firstName: v.firstName,
    lastName: v.lastName ?? null,
    timeZone: v.timeZone ?? null,
    emails: v.emails,
    phones: v.phones,
  });
  if (!saved) throw notFound();
  throw redirect(`/people/${id}?saved=1`);
}

export default function PersonPage() {
  const { person, outreach, mail } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const name = displayName(person);
  const status = params.has("saved") ? "Saved." : params.has("created") ? `Added ${name}.` : null;
  const live = usePersonLive(
    person.id,
    outreach.entries.map((e) => e.campaign.id),
  );
  return (
    <div>
      <p className="small">
        <Link to="/people">← People</Link>
      </p>
      <div className="title-live">
        <h1>{name}</h1>
        <LiveStatus status={live} />
      </div>
      {status ? (
        <div className="notice" role="status">
          {status}
        </div>
      ) : null}
      <div className="profile-grid">
        <div className="stack-gap">
          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title" style={{ marginTop: 0 }}>
              Details
            </h2>
            <dl className="details">
              <dt>Emails</dt>
              <dd>
                {person.emails.length === 0 ? <span className="muted">None</span> : null}
                <ul>
                  {person.emails.map((e) => (
                    <li key={e.address}>
                      <a href={`mailto:${e.address}`}>{e.address}</a>{" "}
                      <span className="badge">{e.type}</span>
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>Phones</dt>
              <dd>
                {person.phones.length === 0 ? <span className="muted">None</span> : null}
                <ul>
                  {person.phones.map((p) => (
                    <li key={`${p.number}-${p.type}`}>
                      <a href={`tel:${p.number.replace(/[^\d+]/g, "")}`}>{p.number}</a>{" "}
                      <span className="badge">{p.type}</span>
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>Time zone</dt>
              <dd>{person.timeZone ?? <span className="muted">The team's time zone</span>}</dd>
              <dt>Added</dt>
              <dd>{person.createdAt.slice(0, 10)}</dd>
            </dl>
          </section>
          <OutreachSection personId={person.id} firstName={person.firstName} data={outreach} />
          <PersonMailSection
            firstName={person.firstName}
            mail={mail}
            timeZone={outreach.timeZone}
          />
          <details className="card danger-zone">
            <summary>Delete {name}</summary>
            <p>
              This removes {name} and their emails and phones from your team. It cannot be undone.
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="delete" />
              <button type="submit" className="danger">
                Delete {name} for good
              </button>
            </Form>
          </details>
        </div>
        <section className="card" aria-labelledby="edit-title">
          <h2 id="edit-title" style={{ marginTop: 0 }}>
            Edit
          </h2>
          <PersonForm
            key={person.updatedAt}
            id={`person-${person.id}`}
            lastResult={lastResult}
            person={person}
          />
        </section>
      </div>
    </div>
  );
}
