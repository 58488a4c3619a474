// The campaign form's sections (About, When to send, Stages, Tracking), shared by the
// new-campaign and edit pages: the same fields, labels and errors in both.
import {
  type FormMetadata,
  getCollectionProps,
  getInputProps,
  getSelectProps,
} from "@conform-to/react";
import { type CampaignFormInput, newStage, WEEKDAYS } from "@workers/core/campaign-form";
import { type ReactNode, useEffect, useState } from "react";
import { JobStageOptions } from "~/components/filter-fields";
import { FieldError, StageEditor, TYPE_LABELS } from "~/components/stage-editor";
import { Field } from "~/lib/forms";

type Mailbox = { id: string; label: string; canSend: boolean };
type Job = { id: string; title: string; stages: string[] };
type Fields = ReturnType<FormMetadata<CampaignFormInput, string[]>["getFieldset"]>;

export function CampaignFormSections({
  form,
  fields,
  mailboxes,
  jobs,
  stagesNote,
}: {
  form: FormMetadata<CampaignFormInput, string[]>;
  fields: Fields;
  mailboxes: Mailbox[];
  jobs: Job[];
  /** Shown at the top of the Stages section (e.g. why a deleted stage cannot go yet). */
  stagesNote?: ReactNode;
}) {
  const stages = fields.stages.getFieldList();
  const jobId = fields.jobId.value ?? "";
  const job = jobs.find((j) => j.id === jobId);
  const windowOn = fields.windowOn.value === "on";
  // Without JavaScript the window inputs stay usable: they are dimmed only once the page
  // can enable them again when the box is ticked.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <>
      <section className="card">
        <h2 className="card-title">About</h2>
        <Field label="Name" meta={fields.name} placeholder="Backend engineers, Q3" />
        <div className="grid-2">
          <div className="field">
            <label htmlFor={fields.jobId.id}>Job</label>
            <select {...getSelectProps(fields.jobId)} key={fields.jobId.key}>
              <option value="">No job</option>
              {jobs.map((j) => (
                <option key={j.id} value={j.id}>
                  {j.title}
                </option>
              ))}
            </select>
            <FieldError meta={fields.jobId} />
          </div>
          <div className="field">
            <label htmlFor={fields.jobStage.id}>Job stage</label>
            <select
              {...getSelectProps(fields.jobStage)}
              key={`${fields.jobStage.key}-${jobId}`}
              disabled={jobId !== "" && (job?.stages.length ?? 0) === 0}
            >
              <option value="">No stage</option>
              <JobStageOptions jobs={job ? [job] : jobs} />
            </select>
            <FieldError meta={fields.jobStage} />
          </div>
        </div>
        <label className="check-label">
          <input {...getInputProps(fields.shared, { type: "checkbox" })} key={fields.shared.key} />
          Shared: teammates may use it and enroll people
        </label>
      </section>

      <section className="card">
        <h2 className="card-title">When to send</h2>
        <label className="check-label">
          <input
            {...getInputProps(fields.businessDaysOnly, { type: "checkbox" })}
            key={fields.businessDaysOnly.key}
          />
          Business days only (Monday to Friday)
        </label>
        <label className="check-label">
          <input
            {...getInputProps(fields.windowOn, { type: "checkbox" })}
            key={fields.windowOn.key}
          />
          Only within a sending window (in each person's time zone, else the team's)
        </label>
        <fieldset
          className="window"
          disabled={hydrated && !windowOn}
          aria-describedby="window-note"
        >
          <legend className="visually-hidden">Sending window</legend>
          <fieldset className="weekday-picks">
            <legend className="visually-hidden">Days</legend>
            {getCollectionProps(fields.windowDays, {
              type: "checkbox",
              options: WEEKDAYS.map((d) => String(d.value)),
            }).map((props, i) => (
              <label key={props.value} className="weekday">
                <input {...props} key={props.key} />
                {WEEKDAYS[i].short}
              </label>
            ))}
          </fieldset>
          <FieldError meta={fields.windowDays} />
          <div className="grid-2 window-times">
            <div className="field">
              <label htmlFor={fields.windowStart.id}>From</label>
              <input
                {...getInputProps(fields.windowStart, { type: "time" })}
                key={fields.windowStart.key}
              />
              <FieldError meta={fields.windowStart} />
            </div>
            <div className="field">
              <label htmlFor={fields.windowEnd.id}>Until</label>
              <input
                {...getInputProps(fields.windowEnd, { type: "time" })}
                key={fields.windowEnd.key}
              />
              <FieldError meta={fields.windowEnd} />
            </div>
          </div>
        </fieldset>
        <p id="window-note" className="muted small">
          A stage due outside the window goes out when it next opens.
        </p>
      </section>

      <section className="card">
        <h2 className="card-title">Stages</h2>
        {stagesNote}
        {fields.stages.errors ? (
          <div className="field-error" id={fields.stages.errorId} role="alert">
            {fields.stages.errors.join(" ")}
          </div>
        ) : null}
        <div className="stage-editors">
          {stages.map((stage, index) => (
            <StageEditor
              // Conform keys list items it added or moved; items it was given keep their id.
              key={stage.key ?? stage.id}
              form={form}
              stagesName={fields.stages.name}
              stage={stage}
              index={index}
              count={stages.length}
              mailboxes={mailboxes}
            />
          ))}
        </div>
        <fieldset className="add-stage">
          <legend className="visually-hidden">Add a stage</legend>
          {(["email", "sms", "call", "task"] as const).map((type) => (
            <button
              key={type}
              {...form.insert.getButtonProps({
                name: fields.stages.name,
                defaultValue: newStage(type, stages.length),
              })}
              className="secondary"
            >
              + {TYPE_LABELS[type]}
            </button>
          ))}
        </fieldset>
      </section>

      <details className="card">
        <summary>Tracking and unsubscribe</summary>
        <label className="check-label">
          <input
            {...getInputProps(fields.trackOpens, { type: "checkbox" })}
            key={fields.trackOpens.key}
          />
          Track opens
        </label>
        <label className="check-label">
          <input
            {...getInputProps(fields.trackClicks, { type: "checkbox" })}
            key={fields.trackClicks.key}
          />
          Track link clicks
        </label>
        <label className="check-label">
          <input
            {...getInputProps(fields.unsubscribeLink, { type: "checkbox" })}
            key={fields.unsubscribeLink.key}
          />
          Add a visible unsubscribe link to every email
        </label>
        <label className="check-label">
          <input
            {...getInputProps(fields.stopCompanyOnReply, { type: "checkbox" })}
            key={fields.stopCompanyOnReply.key}
          />
          When someone replies, stop everyone at their company (same work email domain)
        </label>
      </details>
    </>
  );
}
