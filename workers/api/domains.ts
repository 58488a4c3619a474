import { roleAtLeast } from "../auth/guards";
import { DomainInputSchema } from "../core/sending-domains";
import {
  addDomain,
  checkDomain,
  type DomainFailure,
  listDomains,
  removeDomain,
} from "../data/sending-domains";
import { errorResponse, notFound } from "../http/errors";
import { readJsonBody } from "../http/json-body";
import type { ApiRouter } from "./router";

function failureResponse(failure: DomainFailure): Response {
  return failure.code === "provider_unreachable"
    ? errorResponse(502, "provider_error", failure.message)
    : errorResponse(409, "conflict", failure.message);
}

const ADMIN_ONLY = "Only a team owner or admin can add or remove sending domains.";

/** /api/v1/domains routes: the team's sending domains, registered with Resend. */
export function registerDomainsRoutes(api: ApiRouter): void {
  api.on("GET", "/api/v1/domains", async ({ env, actor }) => {
    return Response.json({ items: await listDomains(env, actor.teamId) });
  });

  api.on("POST", "/api/v1/domains", async ({ request, env, actor }) => {
    if (!roleAtLeast(actor.role, "admin")) return errorResponse(403, "forbidden", ADMIN_ONLY);
    const input = await readJsonBody(request, DomainInputSchema, "The domain");
    const result = await addDomain(env, actor.teamId, input);
    if (!result.ok) return failureResponse(result.failure);
    return Response.json(result.domain, { status: 201 });
  });

  api.on("POST", "/api/v1/domains/:id/check", async ({ env, actor, params }) => {
    const result = await checkDomain(env, actor.teamId, params.id);
    if (!result) return notFound("No such domain in this team.");
    if (!result.ok) return failureResponse(result.failure);
    // A provider hiccup during the check still answers with the stored status.
    return Response.json({ ...result.domain, checkError: result.failure?.message ?? null });
  });

  api.on("DELETE", "/api/v1/domains/:id", async ({ env, actor, params }) => {
    if (!roleAtLeast(actor.role, "admin")) {
      // Another team's id stays a 404 for everyone, whatever their role.
      const own = (await listDomains(env, actor.teamId)).some((d) => d.id === params.id);
      return own
        ? errorResponse(403, "forbidden", ADMIN_ONLY)
        : notFound("No such domain in this team.");
    }
    const result = await removeDomain(env, actor.teamId, params.id);
    if (!result) return notFound("No such domain in this team.");
    if (!result.ok) return failureResponse(result.failure);
    return new Response(null, { status: 204 });
  });
}
