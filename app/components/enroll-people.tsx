import { Form, Link, useNavigation } from "@remix-run/react";
import type { ConflictRow } from "~/lib/enroll-conflicts.server";

export type FoundPerson = { id: string; name: string; email: string | null; enrolled: boolean };

/**
 * "Enroll people": search the team's people and tick them, or paste person ids. The search
 * is a plain GET (it works without JavaScript); the enrollment posts to the page's action.
 */
export function EnrollPeople({
  find,
  found,
  keep,
  notice,
  open,
}: {
  find: string;
  found: FoundPerson[] | null;
  /** Query parameters of the page to keep while searching (the Prospects filters). */
  keep: Record<string, string>;
  notice: {
    tone: "ok" | "error";
    message: string;
    /** People a conflict held back (or enrolled anyway): who, where, by whom, when. */
    conflicts?: { rows: ConflictRow[]; more: number; held: string[] };
  } | null;
  open: boolean;
}) {
  const busy = useNavigation().state === "submitting";
  return (
    <details className="card enroll" open={open}>
      <summary>Enroll people</summary>
      {notice ? (
        <div className={notice.tone === "error" ? "form-error" : "notice"} role="status">
          {notice.message}
        </div>
      ) : null}
      {notice?.conflicts && notice.conflicts.rows.length > 0 ? (
        <EnrollConflicts {...notice.conflicts} busy={busy} />
      ) : null}
      <Form method="get" className="search-row" role="search" preventScrollReset>
        {Object.entries(keep).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label htmlFor="enroll-find" className="visually-hidden">
          Search people
        </label>
        <input
          id="enroll-find"
          type="search"
          name="find"
          defaultValue={find}
          key={find}
          placeholder="Search people by name or email"
          maxLength={200}
        />
        <button type="submit" className="secondary">
          Search
        </button>
      </Form>
      <Form method="post" preventScrollReset>
        <input type="hidden" name="intent" value="enroll" />
        {found === null ? null : found.length === 0 ? (
          <p className="muted">No one matches “{find}”.</p>
        ) : (
          <fieldset className="picks">
            <legend className="small muted">Tick the people to enroll</legend>
            {found.map((p) => (
              <label key={p.id} className="check-label pick">
                <input type="checkbox" name="pick" value={p.id} disabled={p.enrolled} />
                <span>
                  {p.name}
                  {p.email ? <span className="muted small"> · {p.email}</span> : null}
                  {p.enrolled ? <span className="badge">already in this campaign</span> : null}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="enroll-ids">Or paste person ids</label>
          <textarea
            id="enroll-ids"
            name="pastedIds"
            rows={3}
            placeholder="One per line, or separated by commas"
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Enrolling…" : "Enroll"}
        </button>
      </Form>
    </details>
  );
}

function EnrollConflicts({
  rows,
  more,
  held,
  busy,
}: {
  rows: ConflictRow[];
  more: number;
  held: string[];
  busy: boolean;
}) {
  return (
    <section className="enroll-conflicts" aria-labelledby="enroll-conflicts-title">
      <h3 id="enroll-conflicts-title" className="small">
        {held.length > 0
          ? `Not enrolled yet: ${held.length === 1 ? "1 person is" : `${held.length} people are`} busy elsewhere`
          : "Enrolled despite these"}
      </h3>
      <ul className="conflict-list">
        {rows.map((r) => (
          <li key={`${r.personId}-${r.campaignId}-${r.kind}`}>
            <strong>{r.personName}</strong>{" "}
            {r.kind === "active_elsewhere" ? (
              <>
                is still going in <Link to={`/campaigns/${r.campaignId}`}>{r.campaignName}</Link>
                {r.byName ? ` (owner ${r.byName})` : ""}
              </>
            ) : (
              <>
                was emailed{r.byName ? ` by ${r.byName}` : ""}
                {r.atText ? ` on ${r.atText}` : ""} from{" "}
                <Link to={`/campaigns/${r.campaignId}`}>{r.campaignName}</Link>
              </>
            )}
          </li>
        ))}
        {more > 0 ? <li className="muted">…and {more} more.</li> : null}
      </ul>
      {held.length > 0 ? (
        <Form method="post" preventScrollReset>
          <input type="hidden" name="intent" value="enroll" />
          <input type="hidden" name="force" value="1" />
          <input type="hidden" name="pastedIds" value={held.join("\n")} />
          <button type="submit" className="secondary" disabled={busy}>
            Enroll anyway ({held.length})
          </button>
        </Form>
      ) : null}
    </section>
  );
}
