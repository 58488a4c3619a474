import {
  type FieldMetadata,
  getFormProps,
  getInputProps,
  getSelectProps,
  type SubmissionResult,
  useForm,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import {
  EMAIL_TYPES,
  MAX_EMAILS,
  MAX_PHONES,
  PersonFormSchema,
  type PersonJsonLike,
  PHONE_TYPES,
} from "@workers/core/people";
import { useEffect, useState } from "react";
import { FormErrors } from "~/lib/forms";

// The add-person and edit-person form: one schema (PersonFormSchema) in the browser and in
// the action, errors under each field, and the values entered kept when the server refuses.

const TYPE_LABELS: Record<string, string> = {
  personal: "Personal",
  work: "Work",
  mobile: "Mobile",
  home: "Home",
};

function Errors({ meta }: { meta: FieldMetadata<unknown> }) {
  return meta.errors ? (
    <div className="field-error" id={meta.errorId}>
      {meta.errors.join(" ")}
    </div>
  ) : null;
}

function TextField({
  label,
  meta,
  type = "text",
  ...rest
}: {
  label: string;
  meta: FieldMetadata<string | undefined>;
  type?: "text" | "email" | "tel";
  autoComplete?: string;
  placeholder?: string;
  list?: string;
}) {
  const { key, ...props } = getInputProps(meta, { type });
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <input key={key} {...props} {...rest} />
      <Errors meta={meta} />
    </div>
  );
}

function TypeSelect({
  meta,
  options,
  srLabel,
}: {
  meta: FieldMetadata<string | undefined>;
  options: readonly string[];
  srLabel: string;
}) {
  const { key, ...props } = getSelectProps(meta);
  return (
    <div className="field">
      <label htmlFor={meta.id}>
        Type<span className="visually-hidden"> {srLabel}</span>
      </label>
      <select key={key} {...props}>
        {options.map((o) => (
          <option key={o} value={o}>
            {TYPE_LABELS[o] ?? o}
          </option>
        ))}
      </select>
      <Errors meta={meta} />
    </div>
  );
}

/** The time zones this browser knows, for the time zone field's suggestions. */
function useTimeZones(): string[] {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    // Rendered after hydration: the server's and the browser's lists may differ.
    setZones(["UTC", ...Intl.supportedValuesOf("timeZone")]);
  }, []);
  return zones;
}

/** The form's starting values: a person's, with one blank email and phone row to add. */
export function personFormDefaults(person?: PersonJsonLike) {
  const emails = (person?.emails ?? []).map((e) => ({ address: e.address, type: e.type }));
  const phones = (person?.phones ?? []).map((p) => ({ number: p.number, type: p.type }));
  if (!person) emails.push({ address: "", type: "personal" }, { address: "", type: "work" });
  else if (emails.length < MAX_EMAILS) emails.push({ address: "", type: "personal" });
  if (phones.length < MAX_PHONES) phones.push({ number: "", type: "mobile" });
  return {
    firstName: person?.firstName ?? "",
    lastName: person?.lastName ?? "",
    timeZone: person?.timeZone ?? "",
    emails,
    phones,
  };
}

export function PersonForm({
  id,
  lastResult,
  person,
  submitLabel = "Save",
}: {
  id: string;
  lastResult?: SubmissionResult<string[]> | null;
  person?: PersonJsonLike;
  submitLabel?: string;
}) {
  const busy = useNavigation().state === "submitting";
  const zones = useTimeZones();
  const [form, fields] = useForm({
    id,
    lastResult,
    defaultValue: personFormDefaults(person),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PersonFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const emails = fields.emails.getFieldList();
  const phones = fields.phones.getFieldList();
  return (
    <Form method="post" {...getFormProps(form)} className="person-form">
      <input type="hidden" name="intent" value="save" />
      <FormErrors errors={form.errors} />
      <div className="grid-2">
        <TextField label="First name" meta={fields.firstName} autoComplete="off" />
        <TextField label="Last name" meta={fields.lastName} autoComplete="off" />
      </div>
      <fieldset className="person-rows">
        <legend>Email addresses</legend>
        {emails.map((row, i) => {
          const f = row.getFieldset();
          return (
            <div className="person-row" key={row.key}>
              <TextField
                label={i === 0 ? "Email" : "Another address"}
                meta={f.address}
                type="email"
                autoComplete="off"
              />
              <TypeSelect meta={f.type} options={EMAIL_TYPES} srLabel={`of address ${i + 1}`} />
            </div>
          );
        })}
        <FormErrors errors={fields.emails.errors} />
      </fieldset>
      <fieldset className="person-rows">
        <legend>Phone numbers</legend>
        {phones.map((row, i) => {
          const f = row.getFieldset();
          return (
            <div className="person-row" key={row.key}>
              <TextField
                label={i === 0 ? "Phone" : "Another phone"}
                meta={f.number}
                type="tel"
                autoComplete="off"
              />
              <TypeSelect meta={f.type} options={PHONE_TYPES} srLabel={`of phone ${i + 1}`} />
            </div>
          );
        })}
      </fieldset>
      <TextField
        label="Time zone"
        meta={fields.timeZone}
        placeholder="e.g. America/New_York"
        list="time-zones"
        autoComplete="off"
      />
      <datalist id="time-zones">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : submitLabel}
      </button>
    </Form>
  );
}
