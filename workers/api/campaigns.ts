import { CampaignInputSchema, CampaignPatchSchema } from "../core/engine/schemas";
import { campaignReferences } from "../data/campaign-references";
import { createCampaign, duplicateCampaign, teamCampaign } from "../data/campaign-service";
import { CampaignListQuerySchema, listCampaigns } from "../data/campaigns";
import { campaignFindings, flatFindings } from "../data/deliverability";
import { db } from "../db/client";
import { errorResponse, notFound } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import { JSON_BODY_LIMITS } from "../http/json-cap";
import { actorRef, failureResponse } from "./actor";
import type { ApiContext, ApiRouter } from "./router";

const campaignNotFound = () => notFound("No campaign with this id in your team.");

/** The campaign of the path, when it is the actor's team's; else a 404 (thrown). */
export async function requireCampaign(c: ApiContext) {
  const campaign = await teamCampaign(c.env, c.actor.teamId, c.params.id);
  if (!campaign) throw campaignNotFound();
  return campaign;
}

/**
 * Refuses (422) a campaign whose job, mailboxes or attachments are not the team's own, or
 * whose job stage is not a stage of its job.
 */
async function checkReferences(c: ApiContext, input: Parameters<typeof campaignReferences>[2]) {
  const refs = await campaignReferences(c.env, c.actor.teamId, input);
  if (refs.jobMissing) {
    throw errorResponse(422, "validation_failed", "jobId: no job with this id in your team", [
      { path: "jobId", message: "No job with this id in your team" },
    ]);
  }
  if (refs.stageWithoutJob || refs.stageMissing) {
    const message = refs.job
      ? `“${refs.job.title}” has no stage named “${input.jobStage}”`
      : "A job stage needs its job: send jobId too, or jobStage: null";
    throw errorResponse(422, "validation_failed", `jobStage: ${message}`, [
      { path: "jobStage", message },
    ]);
  }
  const [box] = refs.foreignMailboxes;
  if (box !== undefined) {
    const path = `stages.${box}.mailboxId`;
    throw errorResponse(422, "validation_failed", `${path}: no mailbox with this id in your team`, [
      { path, message: "No mailbox with this id in your team" },
    ]);
  }
  if (refs.foreignAttachments.length > 0) {
    const issues = refs.foreignAttachments.map((f) => ({
      path: `stages.${f.stage}.attachments.${f.file}.id`,
      message: "No attachment with this id in your team",
    }));
    throw errorResponse(
      422,
      "validation_failed",
      `${issues[0].path}: no attachment with this id in your team`,
      issues,
    );
  }
}

/** /api/v1/campaigns routes (DESIGN.md §3). */
export function registerCampaignRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/campaigns", async (c) => {
    const input = await readJsonBody(c.request, CampaignInputSchema, "The campaign", {
      maxBytes: JSON_BODY_LIMITS.campaign,
    });
    await checkReferences(c, input);
    return Response.json(await createCampaign(c.env, c.actor, input), { status: 201 });
  });

  api.on("GET", "/api/v1/campaigns", async (c) => {
    const q = readQuery(c.url, CampaignListQuerySchema);
    return Response.json(await listCampaigns(db(c.env), c.actor.teamId, q));
  });

  api.on("GET", "/api/v1/campaigns/:id", async (c) => {
    const { stub } = await requireCampaign(c);
    const view = await stub.view();
    return view ? Response.json(view) : campaignNotFound();
  });

  api.on("PATCH", "/api/v1/campaigns/:id", async (c) => {
    const { row, stub } = await requireCampaign(c);
    const patch = await readJsonBody(c.request, CampaignPatchSchema, "The edit", {
      maxBytes: JSON_BODY_LIMITS.campaign,
    });
    // The job and its stage are checked as a pair: the one the edit leaves out is kept.
    const job =
      patch.jobId !== undefined || patch.jobStage !== undefined
        ? {
            jobId: patch.jobId !== undefined ? patch.jobId : row.jobId,
            jobStage: patch.jobStage !== undefined ? patch.jobStage : row.jobStage,
          }
        : {};
    await checkReferences(c, { stages: patch.stages, ...job });
    const result = await stub.update(patch, actorRef(c.actor));
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });

  for (const [verb, status] of [
    ["activate", "active"],
    ["disable", "disabled"],
  ] as const) {
    api.on("POST", `/api/v1/campaigns/:id/${verb}`, async (c) => {
      const { stub } = await requireCampaign(c);
      const view = await stub.setStatus(status, actorRef(c.actor));
      if (verb === "disable") return Response.json(view);
      // Deliverability advice (issue #10 part 7): never blocks, answered beside the campaign.
      const findings = flatFindings(await campaignFindings(c.env, c.actor.teamId, view));
      return Response.json({ ...view, findings });
    });
  }

  api.on("POST", "/api/v1/campaigns/:id/duplicate", async (c) => {
    const { stub } = await requireCampaign(c);
    const copy = await duplicateCampaign(c.env, c.actor, stub);
    if (!copy) return campaignNotFound();
    return Response.json(copy, { status: 201 });
  });

  // Metrics (GET /api/v1/campaigns/:id/metrics, /api/v1/metrics): ./metrics.ts, from D1.
}
