// Deliverability findings (issue #10 part 7): beside the stage editor, updated as the user
// types (the check is pure and runs in the browser), and in the Activate confirm step.
// Advice only: nothing here stops saving or activating.
import type { FieldMetadata, FormMetadata } from "@conform-to/react";
import { Form } from "@remix-run/react";
import type { CampaignFormInput, StageFormInput } from "@workers/core/campaign-form";
import {
  checkEmailStage,
  type Finding,
  type StageFindings,
} from "@workers/core/deliverability/check";
import { type MouseEvent, useMemo } from "react";

const FIELD_LABELS: Record<Finding["field"], string> = {
  subject: "Subject",
  body: "Body",
  mailbox: "Mailbox",
};

const LIST = { listStyle: "none", padding: 0, margin: "0.35rem 0 0" } as const;
const ITEM = { borderLeft: "3px solid", paddingLeft: "0.5rem", marginBottom: "0.35rem" } as const;

export function FindingsList({ findings }: { findings: Finding[] }) {
  return (
    // The list's layout is inline too: the campaign form pages do not link metrics.css.
    <ul className="findings" style={LIST}>
      {findings.map((f) => (
        <li
          key={`${f.code}-${f.field}`}
          className={`finding ${f.severity}`}
          style={{
            ...ITEM,
            borderLeftColor: f.severity === "warning" ? "var(--warn)" : "var(--muted)",
          }}
        >
          <span className="finding-tag">
            {f.severity === "warning" ? "Warning" : "Tip"} · {FIELD_LABELS[f.field]}
          </span>{" "}
          {f.message}
        </li>
      ))}
    </ul>
  );
}

const checked = (v: unknown) => v === "on" || v === true || v === "true";
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** The stage editor's live findings for an email stage (nothing for other types). */
export function DeliverabilityFindings({
  form,
  stage,
  mailboxes,
}: {
  form: FormMetadata<CampaignFormInput, string[]>;
  stage: FieldMetadata<StageFormInput, CampaignFormInput, string[]>;
  mailboxes: { id: string; canSend: boolean }[];
}) {
  const f = stage.getFieldset();
  const type = f.type.value ?? f.type.initialValue;
  const subject = text(f.subject.value);
  const body = text(f.body.value);
  const mailboxId = text(f.mailboxId.value);
  const unsubscribe = checked(form.getFieldset().unsubscribeLink.value);
  const mailbox = mailboxes.find((m) => m.id === mailboxId);
  const findings = useMemo(
    () =>
      type === "email"
        ? checkEmailStage(
            { subject, body },
            {
              unsubscribeLink: unsubscribe,
              mailbox: mailbox ? { canSend: mailbox.canSend } : null,
            },
          )
        : [],
    [type, subject, body, unsubscribe, mailbox],
  );
  if (type !== "email" || findings.length === 0) return null;
  return (
    <div className="deliverability" aria-live="polite">
      <div className="small">
        <strong>Deliverability</strong>{" "}
        <span className="muted">— advice only; the stage saves and sends as it is.</span>
      </div>
      <FindingsList findings={findings} />
    </div>
  );
}

/**
 * The campaign page's Activate: straight away when no stage has findings, otherwise a
 * confirm step listing them (a <details>, so it works without JavaScript and on touch).
 */
export function ActivateWithFindings({ stages, busy }: { stages: StageFindings[]; busy: boolean }) {
  const activate = (label: string) => (
    <Form method="post">
      <button type="submit" name="intent" value="activate" disabled={busy}>
        {label}
      </button>
    </Form>
  );
  if (stages.length === 0) return activate("Activate");
  const warnings = stages.reduce(
    (n, s) => n + s.findings.filter((f) => f.severity === "warning").length,
    0,
  );
  return (
    <details className="activate-confirm">
      <summary className="button">Activate…</summary>
      <div className="activate-panel card">
        <p>
          <strong>Before you activate:</strong>{" "}
          {warnings > 0
            ? `${warnings} warning${warnings === 1 ? "" : "s"} that may send mail to spam.`
            : "a few tips."}{" "}
          You can activate anyway.
        </p>
        {stages.map((s) => (
          <div key={s.stageId}>
            <div className="small">
              <span className="stage-number">{s.stageIndex + 1}</span> “{s.label}”
            </div>
            <FindingsList findings={s.findings} />
          </div>
        ))}
        <div className="row">
          {activate("Activate anyway")}
          <button type="button" className="secondary" onClick={closeDetails}>
            Not now
          </button>
        </div>
      </div>
    </details>
  );
}

function closeDetails(e: MouseEvent<HTMLButtonElement>) {
  e.currentTarget.closest("details")?.removeAttribute("open");
}
