import type { z } from "zod";

export type ErrorCode =
  | "bad_request"
  | "invalid_cursor"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "validation_failed"
  | "rate_limited"
  | "provider_error"
  | "internal";

export type ApiIssue = { path: string; message: string };

/** The JSON error body of DESIGN.md §3: {"error":{"code","message","issues"?}}. */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  issues?: ApiIssue[],
): Response {
  return Response.json(
    { error: { code, message, ...(issues ? { issues } : {}) } },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

/** zod issues as `{path, message}`, the path dotted ("emails.0.address"). */
export function zodIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
  }));
}

export function validationError(error: z.ZodError, what = "The request"): Response {
  const issues = zodIssues(error);
  const named = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return errorResponse(422, "validation_failed", `${what} is invalid — ${named}`, issues);
}

/** A `cursor` parameter this API did not give out: 400, naming the cursor. */
export function invalidCursor(message: string): Response {
  return errorResponse(400, "invalid_cursor", message, [{ path: "cursor", message }]);
}

export const notFound = (what = "Not found") => errorResponse(404, "not_found", what);
