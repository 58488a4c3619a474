import { Form, useNavigation } from "@remix-run/react";

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
  notice: { tone: "ok" | "error"; message: string } | null;
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
