import type { z } from "zod";
import { cursorProblem } from "../core/cursor";
import { errorResponse, invalidCursor, validationError } from "./errors";
import { formatBytes, JSON_BODY_LIMITS } from "./json-cap";
import { readCapped } from "./read-capped";

export type JsonBodyOptions = {
  /** The route's cap in bytes (JSON_BODY_LIMITS); 1 MiB when left out. */
  maxBytes?: number;
  /** An empty body is parsed as `undefined` (so a schema's default applies) instead of 400. */
  allowEmpty?: boolean;
};

/**
 * The request's body as text, read as a stream up to `maxBytes`: a 413 Response (thrown)
 * when `Content-Length` says more or when more bytes actually arrive (a chunked body, or a
 * `Content-Length` that lies), so the isolate never buffers more than the cap.
 */
export async function readBodyText(
  request: Request,
  maxBytes: number,
  what = "The request body",
): Promise<string> {
  const tooLarge = () =>
    errorResponse(
      413,
      "payload_too_large",
      `${what} is larger than ${formatBytes(maxBytes)}, the most this route accepts.`,
    );
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const bytes = await readCapped(request.body, maxBytes);
  if (bytes === null) throw tooLarge();
  return new TextDecoder().decode(bytes);
}

/**
 * The request's JSON body parsed with `schema`; throws the API's error Response
 * (400 not JSON, 413 too large, 422 invalid) so a handler can simply await it.
 * Every JSON API route reads its body through here.
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  what = "The request body",
  options: JsonBodyOptions = {},
): Promise<z.infer<S>> {
  const text = await readBodyText(request, options.maxBytes ?? JSON_BODY_LIMITS.default, what);
  let json: unknown;
  if (options.allowEmpty && text.trim() === "") {
    json = undefined;
  } else {
    try {
      json = JSON.parse(text);
    } catch {
      throw errorResponse(400, "bad_request", `${what} must be JSON.`);
    }
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
