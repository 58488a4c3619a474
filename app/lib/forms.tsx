import type { FieldMetadata } from "@conform-to/react";
import { getInputProps } from "@conform-to/react";
import type { ReactNode } from "react";

/** A labelled input with its validation message under it. */
export function Field<S>({
  label,
  meta,
  type = "text",
  hint,
  ...rest
}: {
  label: string;
  meta: FieldMetadata<S>;
  type?: "text" | "email" | "password" | "number" | "tel";
  hint?: ReactNode;
  autoComplete?: string;
  placeholder?: string;
}) {
  const props = getInputProps(meta, { type });
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <input {...props} key={props.key} {...rest} />
      {hint && !meta.errors ? <div className="muted small">{hint}</div> : null}
      {meta.errors ? (
        <div className="field-error" id={meta.errorId}>
          {meta.errors.join(" ")}
        </div>
      ) : null}
    </div>
  );
}

export function FormErrors({ errors }: { errors?: string[] }) {
  if (!errors || errors.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {errors.join(" ")}
    </div>
  );
}
