import { PeopleQuerySchema, PersonInputSchema, PersonPatchSchema } from "../core/people";
import { deletePersonEverywhere, outreachOf } from "../data/campaigns";
import { createPerson, getPerson, listPeople, updatePerson } from "../data/people";
import { db } from "../db/client";
import { notFound } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import type { ApiRouter } from "./router";

const personNotFound = () => notFound("No person with this id in your team.");

/** /api/v1/people routes (DESIGN.md §3). */
export function registerPeopleRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/people", async ({ request, env, actor }) => {
    const input = await readJsonBody(request, PersonInputSchema, "The person");
    const person = await createPerson(db(env), actor.teamId, actor.userId, input);
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
    const patch = await readJsonBody(request, PersonPatchSchema, "The edit");
    const person = await updatePerson(db(env), actor.teamId, params.id, patch);
    return person ? Response.json(person) : personNotFound();
  });

  api.on("DELETE", "/api/v1/people/:id", async ({ env, actor, params }) => {
    const deleted = await deletePersonEverywhere(env, actor.teamId, params.id);
    return deleted ? new Response(null, { status: 204 }) : personNotFound();
  });
}
