import { z } from "zod";
import { campaignStub } from "../data/campaigns";
import { EmailLogQuerySchema, findTeamMessage, listEmailLog } from "../data/email-log";
import { notFound } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import { actorRef, failureResponse } from "./actor";
import type { ApiContext, ApiRouter } from "./router";

const RetrySchema = z.object({ bypassValidation: z.boolean().optional() }).default({});

async function messageOfTeam(c: ApiContext) {
  const row = await findTeamMessage(c.env, c.actor.teamId, c.params.id);
  if (!row) throw notFound("No message with this id in your team's Email Log.");
  return row;
}

/** /api/v1/email-log routes (DESIGN.md §3): newest first, keyset pagination. */
export function registerEmailLogRoutes(api: ApiRouter): void {
  api.on("GET", "/api/v1/email-log", async (c) => {
    const query = readQuery(c.url, EmailLogQuerySchema);
    return Response.json(await listEmailLog(c.env, c.actor.teamId, query));
  });

  api.on("POST", "/api/v1/email-log/:id/cancel", async (c) => {
    const row = await messageOfTeam(c);
    const stub = await campaignStub(c.env, row.campaignId);
    const result = await stub.cancelMessage(row.id, actorRef(c.actor));
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });

  api.on("POST", "/api/v1/email-log/:id/retry", async (c) => {
    const row = await messageOfTeam(c);
    // An empty body is allowed: retrying without options is the common case.
    const body = await readJsonBody(c.request, RetrySchema, "The retry", { allowEmpty: true });
    const stub = await campaignStub(c.env, row.campaignId);
    const result = await stub.retryMessage(
      row.id,
      body.bypassValidation ?? false,
      actorRef(c.actor),
    );
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });
}
