import { Form, Link, useNavigation } from "@remix-run/react";
import { PROSPECT_ACTIONS, type ProspectActionName } from "@workers/core/engine/schemas";
import {
  ACTION_LABELS,
  type ListFilter,
  type LiveRow,
  stageText,
  takesTargetCampaign,
} from "@workers/core/prospect-list";
import { useEffect, useState } from "react";
import { StatusBadge } from "~/components/status-badge";
import { formatDateTime, untilText } from "~/lib/time";

export type StageSummary = { type: string; label: string };

function NextCell({ iso, now, timeZone }: { iso?: string; now: number; timeZone: string }) {
  const [open, setOpen] = useState(false);
  if (!iso) return <span className="muted">—</span>;
  const absolute = formatDateTime(iso, timeZone);
  // Hover shows the exact time (title); a tap toggles it under the relative one on phones.
  return (
    <button
      type="button"
      className="link next-at"
      title={`${absolute} (${timeZone})`}
      aria-expanded={open}
      onClick={() => setOpen((o) => !o)}
    >
      <time dateTime={iso}>{untilText(iso, now)}</time>
      {open ? <span className="muted small next-exact">{absolute}</span> : null}
    </button>
  );
}

export function ProspectsTable({
  campaignId,
  rows,
  stages,
  filter,
  matching,
  others,
  moveId,
  now,
  timeZone,
  notice,
}: {
  campaignId: string;
  rows: LiveRow[];
  stages: StageSummary[];
  filter: ListFilter;
  /** How many prospects match the filters (for "all matching"), when known. */
  matching: number | null;
  others: { id: string; name: string }[];
  moveId: string;
  now: number;
  timeZone: string;
  notice: { tone: "ok" | "error"; message: string } | null;
}) {
  const busy = useNavigation().state === "submitting";
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [action, setAction] = useState<ProspectActionName>("pause");
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  // A bulk action that went through starts the next one from a clean selection.
  useEffect(() => {
    if (notice?.tone === "ok") setSelected(new Set());
  }, [notice]);

  // Rows that left the list (removed, or live updates) leave the selection too.
  const visible = new Set(rows.map((r) => r.personId));
  const chosen = [...selected].filter((id) => visible.has(id));
  const allChecked = rows.length > 0 && chosen.length === rows.length;
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const exportParams = new URLSearchParams();
  if (filter.status) exportParams.set("status", filter.status);
  if (filter.stage !== undefined) exportParams.set("stage", String(filter.stage));
  if (chosen.length > 0) exportParams.set("ids", chosen.join(","));
  const exportHref = `/campaigns/${campaignId}/prospects.csv${exportParams.size ? `?${exportParams}` : ""}`;
  const needsTarget = takesTargetCampaign(action);

  return (
    <div>
      <Form method="post" id="bulk-form" className="bulk-bar" aria-label="Bulk actions">
        <input type="hidden" name="intent" value="bulk" />
        <input type="hidden" name="moveId" value={moveId} />
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        {filter.stage !== undefined ? (
          <input type="hidden" name="stage" value={String(filter.stage)} />
        ) : null}
        <div className="bulk-controls">
          <label htmlFor="bulk-action" className="visually-hidden">
            Action
          </label>
          <select
            id="bulk-action"
            name="action"
            value={action}
            onChange={(e) => {
              const chosen = e.currentTarget.value;
              setAction(PROSPECT_ACTIONS.find((a) => a === chosen) ?? "pause");
            }}
          >
            {/* The Prospects tab offers every action, for a selection or all matching. */}
            {PROSPECT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {ACTION_LABELS[a]}
              </option>
            ))}
          </select>
          {!hydrated || needsTarget ? (
            <>
              <label htmlFor="bulk-target" className="visually-hidden">
                Other campaign
              </label>
              <select id="bulk-target" name="toCampaignId" defaultValue="">
                <option value="">Other campaign (for Add to / Move to)</option>
                {others.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <fieldset className="scope">
            <legend className="visually-hidden">Apply to</legend>
            <label className="check-label">
              <input type="radio" name="scope" value="selected" defaultChecked />
              {hydrated ? `Selected (${chosen.length})` : "Selected"}
            </label>
            <label className="check-label">
              <input type="radio" name="scope" value="all" />
              {matching === null ? "All matching" : `All ${matching} matching`}
            </label>
          </fieldset>
          <button type="submit" disabled={busy}>
            {busy ? "Applying…" : "Apply"}
          </button>
          <a className="button secondary" href={exportHref} download>
            Export CSV{chosen.length > 0 ? ` (${chosen.length})` : ""}
          </a>
        </div>
      </Form>
      {notice ? (
        <div className={notice.tone === "error" ? "form-error" : "notice"} role="status">
          {notice.message}
        </div>
      ) : null}
      {rows.length === 0 ? (
        <div className="card muted">
          {filter.status || filter.stage !== undefined
            ? "No prospect matches these filters."
            : "No one is enrolled yet. Use “Enroll people” to add some."}
        </div>
      ) : (
        <div className="table-wrap">
          <table className="responsive prospects-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="name-cell">
                    <input
                      type="checkbox"
                      aria-label="Select every row on this page"
                      checked={allChecked}
                      onChange={(e) =>
                        setSelected(
                          e.currentTarget.checked
                            ? new Set(rows.map((r) => r.personId))
                            : new Set(),
                        )
                      }
                    />
                    Name
                  </span>
                </th>
                <th scope="col">Status</th>
                <th scope="col">Stage</th>
                <th scope="col">Next stage</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const stage = stages[r.stageIndex];
                return (
                  <tr key={r.personId} data-person={r.personId} data-status={r.status}>
                    <td>
                      <span className="name-cell">
                        <input
                          type="checkbox"
                          name="personId"
                          value={r.personId}
                          form="bulk-form"
                          aria-label={`Select ${r.name || r.personId}`}
                          checked={chosen.includes(r.personId)}
                          onChange={(e) => toggle(r.personId, e.currentTarget.checked)}
                        />
                        <Link to={`/people/${r.personId}`} className="person-name">
                          {r.name || r.personId}
                        </Link>
                      </span>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={r.status} />
                      {r.reasonLabel ? (
                        <div className="muted small reason">{r.reasonLabel}</div>
                      ) : null}
                    </td>
                    <td data-label="Stage">
                      {stageText(r.stageIndex, stages.length)}
                      {stage && r.stageIndex < stages.length ? (
                        <div className="muted small">{stage.label}</div>
                      ) : null}
                    </td>
                    <td data-label="Next">
                      <NextCell iso={r.nextAt} now={now} timeZone={timeZone} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
