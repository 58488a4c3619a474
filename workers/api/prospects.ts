import { z } from "zod";
import { cursorParam } from "../core/cursor";
import { EnrollSchema, ProspectActionSchema, ProspectFilterSchema } from "../core/engine/schemas";
import { ProspectCursorSchema } from "../core/prospect-list";
import { actOnProspects } from "../data/bulk-actions";
import { enrollPeople, prospectsCsv } from "../data/campaign-service";
import { findCampaign } from "../data/campaigns";
import { db } from "../db/client";
import { errorResponse } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import { actorRef, failureResponse } from "./actor";
import { requireCampaign } from "./campaigns";
import type { ApiRouter } from "./router";

const ListQuerySchema = ProspectFilterSchema.extend({
  sort: z
    .enum(["created", "status", "name", "next"], { error: "sort is created, status, name or next" })
    .default("created"),
  cursor: cursorParam(ProspectCursorSchema),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** /api/v1/campaigns/:id/prospects routes (DESIGN.md §3). */
export function registerProspectRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/campaigns/:id/prospects", async (c) => {
    const campaign = await requireCampaign(c);
    const { personIds, force } = await readJsonBody(c.request, EnrollSchema, "The enrollment");
    const { names: _names, ...result } = await enrollPeople(
      c.env,
      c.actor.teamId,
      campaign,
      personIds,
      actorRef(c.actor),
      { force },
    );
    return Response.json(result);
  });

  api.on("GET", "/api/v1/campaigns/:id/prospects", async (c) => {
    const { stub } = await requireCampaign(c);
    const q = readQuery(c.url, ListQuerySchema);
    const result = await stub.prospects({
      filter: { status: q.status, stage: q.stage },
      sort: q.sort,
      // The Campaign DO reads the cursor itself: it gets the text sent, checked above.
      cursor: q.cursor === undefined ? undefined : (c.url.searchParams.get("cursor") ?? undefined),
      limit: q.limit,
    });
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });

  api.on("POST", "/api/v1/campaigns/:id/prospects/actions", async (c) => {
    const { stub } = await requireCampaign(c);
    const action = await readJsonBody(c.request, ProspectActionSchema, "The action");
    if (action.toCampaignId) {
      const target = await findCampaign(db(c.env), c.actor.teamId, action.toCampaignId);
      if (!target) {
        return errorResponse(
          404,
          "not_found",
          "toCampaignId: no campaign with this id in your team.",
        );
      }
    }
    const result = await actOnProspects(stub, action, actorRef(c.actor));
    if (!result.ok) return failureResponse(result);
    const { applied, refused, notes } = result.value;
    // A single action on a status that does not allow it is a 409 with the reason.
    if (action.personIds && action.personIds.length === 1 && refused.length === 1) {
      const reason = refused[0].reason;
      return reason === "not_found"
        ? errorResponse(404, "not_found", "This person is not in the campaign.")
        : errorResponse(409, "conflict", reason);
    }
    return Response.json({ applied: applied.length, appliedIds: applied, refused, notes });
  });

  api.on("GET", "/api/v1/campaigns/:id/prospects.csv", async (c) => {
    const campaign = await requireCampaign(c);
    const q = readQuery(c.url, ProspectFilterSchema);
    return prospectsCsv(c.env, c.actor.teamId, campaign, q, null);
  });
}
