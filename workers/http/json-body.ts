import type { z } from "zod";
import { cursorProblem } from "../core/cursor";
import { errorResponse, invalidCursor, validationError } from "./errors";

const MAX_BODY_BYTES = 1_000_000;

/**
 * The request's JSON body parsed with `schema`; throws the API's error Response
 * (400 not JSON, 413 too large, 422 invalid) so a handler can simply await it.
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  what = "The request body",
): Promise<z.infer<S>> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw errorResponse(413, "payload_too_large", `${what} is larger than 1 MB.`);
  }
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) {
    throw errorResponse(413, "payload_too_large", `${what} is larger than 1 MB.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errorResponse(400, "bad_request", `${what} must be JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw validationError(parsed.error, what);
  return parsed.data;
}

/**
 * The URL's query parsed with `schema`; throws a 400 `invalid_cursor` Response for a cursor
 * the API did not give out, else a 422 naming the bad parameter.
 */
export function readQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const cursor = cursorProblem(parsed.error);
    throw cursor ? invalidCursor(cursor) : validationError(parsed.error, "The query");
  }
  return parsed.data;
}
