import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { displayName, PAGE_DEFAULT, PeopleQuerySchema } from "@workers/core/people";
import { listPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { Notice } from "~/components/notice";
import { givenParams, readListQuery } from "~/lib/list-query.server";
import styles from "~/styles/people.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "People · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const { q, cursor } = givenParams(request);
  // A stale or edited link falls back to the first page (with a notice for a bad cursor).
  const { query, cursorNotice, status } = readListQuery(
    PeopleQuerySchema,
    { ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) },
    { q: q?.slice(0, 200) },
  );
  const page = await listPeople(db(env), actor.teamId, {
    q: query.q,
    cursor: query.cursor,
    limit: PAGE_DEFAULT,
  });
  return data({ ...page, q: query.q ?? "", onFirstPage: !query.cursor, cursorNotice }, { status });
}

function nextHref(q: string, cursor: string) {
  const sp = new URLSearchParams();
  if (q) sp.set("q", q);
  sp.set("cursor", cursor);
  return `/people?${sp}`;
}

function EmptyState({ q }: { q: string }) {
  if (q) {
    return (
      <div className="card empty-state">
        <p>No one matches “{q}”.</p>
        <Link to="/people" className="button secondary">
          Clear search
        </Link>
      </div>
    );
  }
  return (
    <div className="card empty-state">
      <h2>No people yet</h2>
      <p className="muted">
        Add the people you recruit one by one, or import them from a spreadsheet.
      </p>
      <div className="page-actions">
        <Link to="/people/new" className="button">
          Add person
        </Link>
        <Link to="/people/import" className="button secondary">
          Import CSV
        </Link>
      </div>
    </div>
  );
}

export default function People() {
  const { items, nextCursor, q, onFirstPage, cursorNotice } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const searching = useNavigation().state === "loading";
  const deleted = params.get("deleted");
  return (
    <div>
      <div className="row-between page-head">
        <h1>People</h1>
        <div className="page-actions">
          <Link to="/people/import" className="button secondary">
            Import CSV
          </Link>
          <Link to="/people/new" className="button">
            Add person
          </Link>
        </div>
      </div>
      <Notice>{deleted ? `Deleted ${deleted}.` : null}</Notice>
      <Notice>{cursorNotice}</Notice>
      <Form method="get" className="search-form" role="search">
        <label htmlFor="people-search" className="visually-hidden">
          Search people
        </label>
        <input
          id="people-search"
          type="search"
          name="q"
          defaultValue={q}
          key={q}
          placeholder="Search by name or email"
          maxLength={200}
        />
        <button type="submit" className="secondary" disabled={searching}>
          Search
        </button>
      </Form>
      {items.length === 0 && onFirstPage ? (
        <EmptyState q={q} />
      ) : (
        <>
          <div className="table-wrap">
            <table className="responsive people-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Emails</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Time zone</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/people/${p.id}`} className="person-name">
                        {displayName(p)}
                      </Link>
                    </td>
                    <td data-label="Emails">
                      <div className="cell-list">
                        {p.emails.length === 0 ? <span className="muted">—</span> : null}
                        {p.emails.map((e) => (
                          <span key={e.address}>
                            {e.address} <span className="badge">{e.type}</span>
                          </span>
                        ))}
                      </div>
                    </td>
                    <td data-label="Phone">
                      {p.phones[0]?.number ?? <span className="muted">—</span>}
                    </td>
                    <td data-label="Time zone">{p.timeZone ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            {onFirstPage ? (
              <span />
            ) : (
              <Link to={q ? `/people?q=${encodeURIComponent(q)}` : "/people"}>← First page</Link>
            )}
            {nextCursor ? <Link to={nextHref(q, nextCursor)}>Next page →</Link> : null}
          </nav>
        </>
      )}
    </div>
  );
}
