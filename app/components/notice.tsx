// The status line a page shows above its content: a plain notice, or a form error.
import type { ReactNode } from "react";

/** Renders nothing when there is nothing to say (null, false or ""). */
export function Notice({ children, error = false }: { children?: ReactNode; error?: boolean }) {
  if (children === null || children === undefined || children === false || children === "") {
    return null;
  }
  return (
    <div className={error ? "form-error" : "notice"} role="status">
      {children}
    </div>
  );
}
