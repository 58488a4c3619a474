import { PeopleQuerySchema, PersonInputSchema, PersonPatchSchema } from "../core/people";
import { deletePersonEverywhere, outreachOf } from "../data/campaigns";
import { createPerson, getPerson, listPeople, updatePerson } from "../data/people";
import { db } from "../db/client";
import { errorResponse, notFound, validationError } from "../http/errors";
import { readQuery } from "../http/json-body";
import type { ApiRouter } from "./router";

/** A person JSON body is small; anything this big is a mistake, not a person. */
const MAX_BODY_BYTES = 64 * 1024;

/** The request's JSON body, or a 400/413 error Response (thrown). */
async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) {
    throw errorResponse(413, "payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw errorResponse(400, "bad_request", "The body is not valid JSON.");
  }
}

const personNotFound = () => notFound("No person with this id in your team.");

/** /api/v1/people routes (DESIGN.md §3). */
export function registerPeopleRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/people", async ({ request, env, actor }) => {
    const parsed = PersonInputSchema.safeParse(await readJson(request));
    if (!parsed.success) return validationError(parsed.error, "The person");
    const person = await createPerson(db(env), actor.teamId, actor.userId, parsed.data);
    return Response.json(person, { status: 201 });
  });

  api.on("GET", "/api/v1/people", async ({ env, actor, url }) => {
    const query = readQuery(url, PeopleQuerySchema);
    return Response.json(await listPeople(db(env), actor.teamId, query));
  });

  api.on("GET", "/api/v1/people/:id", async ({ env, actor, params }) => {
    const person = await getPerson(db(env), actor.teamId, params.id);
    if (!person) return personNotFound();
    return Response.json({
      ...person,
      outreach: await outreachOf(db(env), actor.teamId, person.id),
    });
  });

  api.on("PATCH", "/api/v1/people/:id", async ({ request, env, actor, params }) => {
    const parsed = PersonPatchSchema.safeParse(await readJson(request));
    if (!parsed.success) return validationError(parsed.error, "The edit");
    const person = await updatePerson(db(env), actor.teamId, params.id, parsed.data);
    return person ? Response.json(person) : personNotFound();
  });

  api.on("DELETE", "/api/v1/people/:id", async ({ env, actor, params }) => {
    const deleted = await deletePersonEverywhere(env, actor.teamId, params.id);
    return deleted ? new Response(null, { status: 204 }) : personNotFound();
  });
}
