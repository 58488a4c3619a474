import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { ImportRequestSchema } from "@workers/core/csv-import";
import { commitImportChunk, startImport } from "@workers/data/imports";
import { db } from "@workers/db/client";
import { errorResponse, validationError } from "@workers/http/errors";

// The import page's JSON endpoint: {op:"start"} opens an import, {op:"chunk"} commits up
// to 500 rows of it. Answers use the JSON API's error shape.

/** A chunk of 500 rows of a 10 MB file is at most the file plus JSON quoting. */
const MAX_BODY_BYTES = 12 * 1024 * 1024;

async function member(request: Request, env: Env) {
  try {
    return await requireMember(request, env);
  } catch (thrown) {
    // A fetch() from the page would follow the sign-in redirect and get HTML: say it in JSON.
    if (thrown instanceof Response && thrown.status === 302) {
      throw errorResponse(401, "unauthorized", "You were signed out. Sign in and import again.");
    }
    throw thrown;
  }
}

export function loader() {
  return errorResponse(405, "bad_request", "Send the rows with POST.");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  if (request.method !== "POST") {
    return errorResponse(405, "bad_request", "Send the rows with POST.");
  }
  const actor = await member(request, env);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    return errorResponse(413, "payload_too_large", "This chunk is too large to import.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return errorResponse(400, "bad_request", "The body is not valid JSON.");
  }
  const parsed = ImportRequestSchema.safeParse(body);
  if (!parsed.success) return validationError(parsed.error, "The import request");
  const d = db(env);
  if (parsed.data.op === "start") {
    return Response.json(await startImport(d, actor.teamId, actor.userId, parsed.data), {
      status: 201,
    });
  }
  const outcome = await commitImportChunk(d, actor.teamId, actor.userId, parsed.data);
  if (!outcome.ok) {
    return errorResponse(
      outcome.status,
      outcome.status === 404 ? "not_found" : "validation_failed",
      outcome.message,
    );
  }
  return Response.json(outcome.result);
}
