// The campaign form's stage editor (new and edit): one stage's fields, labels and errors.
import {
  type FieldMetadata,
  type FormMetadata,
  getInputProps,
  getSelectProps,
  getTextareaProps,
} from "@conform-to/react";
import { Link } from "@remix-run/react";
import {
  type CampaignFormInput,
  DELAY_UNITS,
  type StageForm,
  type StageFormInput,
} from "@workers/core/campaign-form";
import { MERGE_FIELDS } from "@workers/core/engine/merge";
import { AttachmentPicker } from "~/components/attachment-picker";
import { DeliverabilityFindings } from "~/components/deliverability-findings";

export const TYPE_LABELS: Record<StageForm["type"], string> = {
  email: "Email",
  sms: "SMS",
  call: "Call",
  task: "Task",
};
const PRIORITY_LABELS = {
  personal_first: "Personal address first, else work",
  work_first: "Work address first, else personal",
  personal_only: "Personal address only",
  work_only: "Work address only",
};

export function FieldError({ meta }: { meta: { errors?: string[]; errorId: string } }) {
  return meta.errors ? (
    <div className="field-error" id={meta.errorId}>
      {meta.errors.join(" ")}
    </div>
  ) : null;
}

export function MergeHints() {
  return (
    <div className="muted small merge-hints">
      Merge fields:{" "}
      {MERGE_FIELDS.map((f) => (
        <code key={f}>{`{{${f}}}`}</code>
      ))}{" "}
      ({"{{jobTitle}}"} is the campaign's job)
    </div>
  );
}

type Mailbox = { id: string; label: string; canSend: boolean };
type StageMeta = FieldMetadata<StageFormInput, CampaignFormInput, string[]>;

export function StageEditor({
  form,
  stagesName,
  stage,
  index,
  count,
  mailboxes,
}: {
  form: FormMetadata<CampaignFormInput, string[]>;
  stagesName: string;
  stage: StageMeta;
  index: number;
  count: number;
  mailboxes: Mailbox[];
}) {
  const f = stage.getFieldset();
  const type = (f.type.value ?? f.type.initialValue ?? "email") as StageForm["type"];
  return (
    <fieldset className="stage-editor">
      <legend>
        <span className="stage-number">{index + 1}</span> {TYPE_LABELS[type]}
      </legend>
      <input {...getInputProps(f.type, { type: "hidden" })} key={f.type.key} />
      {/* An existing stage's id (the edit form): edits match stages by id, never position. */}
      <input {...getInputProps(f.id, { type: "hidden" })} key={f.id.key} />
      <div className="delay-row">
        <div className="field">
          <label htmlFor={f.delayValue.id}>
            {index === 0 ? "Wait after enrolling" : "Wait after the previous stage"}
          </label>
          <div className="delay-inputs">
            <input
              {...getInputProps(f.delayValue, { type: "number" })}
              key={f.delayValue.key}
              min={0}
              step="any"
              inputMode="decimal"
            />
            <select
              {...getSelectProps(f.delayUnit)}
              key={f.delayUnit.key}
              aria-label={`Stage ${index + 1} delay unit`}
            >
              {DELAY_UNITS.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          </div>
          <FieldError meta={f.delayValue} />
        </div>
      </div>
      {type === "email" ? (
        <>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={f.mailboxId.id}>Send from</label>
              <select {...getSelectProps(f.mailboxId)} key={f.mailboxId.key}>
                <option value="">Choose a mailbox</option>
                {mailboxes.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.label}
                    {m.canSend ? "" : " (cannot send yet)"}
                  </option>
                ))}
              </select>
              {mailboxes.length === 0 && !f.mailboxId.errors ? (
                <div className="muted small">
                  No mailbox yet: <Link to="/mailboxes">add one</Link> first.
                </div>
              ) : null}
              <FieldError meta={f.mailboxId} />
            </div>
            <div className="field">
              <label htmlFor={f.emailPriority.id}>Which address</label>
              <select {...getSelectProps(f.emailPriority)} key={f.emailPriority.key}>
                {Object.entries(PRIORITY_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              <FieldError meta={f.emailPriority} />
            </div>
          </div>
          <div className="field">
            <label htmlFor={f.subject.id}>Subject</label>
            <input
              {...getInputProps(f.subject, { type: "text" })}
              key={f.subject.key}
              placeholder="Quick question, {{firstName}}"
            />
            <FieldError meta={f.subject} />
          </div>
          <div className="field">
            <label htmlFor={f.body.id}>Body</label>
            <textarea
              {...getTextareaProps(f.body)}
              key={f.body.key}
              rows={6}
              placeholder={"Hi {{firstName}},\n\n…\n\n{{senderName}}"}
            />
            {f.body.errors ? <FieldError meta={f.body} /> : <MergeHints />}
          </div>
          {index > 0 ? (
            <label className="check-label">
              <input
                {...getInputProps(f.sameThread, { type: "checkbox" })}
                key={f.sameThread.key}
              />
              Send in the same thread as the previous email
            </label>
          ) : null}
          <AttachmentPicker
            name={f.attachments.name}
            defaultValue={f.attachments.initialValue}
            errors={f.attachments.errors}
          />
        </>
      ) : type === "sms" ? (
        <div className="field">
          <label htmlFor={f.body.id}>Message</label>
          <textarea {...getTextareaProps(f.body)} key={f.body.key} rows={3} />
          {f.body.errors ? <FieldError meta={f.body} /> : <MergeHints />}
        </div>
      ) : (
        <div className="field">
          <label htmlFor={f.title.id}>{type === "call" ? "Call about" : "Task"}</label>
          <input
            {...getInputProps(f.title, { type: "text" })}
            key={f.title.key}
            placeholder={type === "call" ? "Intro call" : "Connect on LinkedIn"}
          />
          <FieldError meta={f.title} />
        </div>
      )}
      <DeliverabilityFindings form={form} stage={stage} mailboxes={mailboxes} />
      <div className="stage-tools">
        <button
          {...form.reorder.getButtonProps({ name: stagesName, from: index, to: index - 1 })}
          className="secondary"
          disabled={index === 0}
          aria-label={`Move stage ${index + 1} up`}
        >
          ↑ Up
        </button>
        <button
          {...form.reorder.getButtonProps({ name: stagesName, from: index, to: index + 1 })}
          className="secondary"
          disabled={index === count - 1}
          aria-label={`Move stage ${index + 1} down`}
        >
          ↓ Down
        </button>
        <button
          {...form.remove.getButtonProps({ name: stagesName, index })}
          className="danger"
          aria-label={`Remove stage ${index + 1}`}
        >
          Remove
        </button>
      </div>
    </fieldset>
  );
}
