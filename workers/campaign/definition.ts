import {
  type CampaignInput,
  CampaignInputSchema,
  type CampaignPatch,
  CampaignPatchSchema,
  type CampaignStatus,
  withStageIds,
} from "../core/engine/schemas";
import { planStageEdit, stagesAtOrBefore } from "../core/engine/stage-edits";
import type { Host } from "./host";
import { conflict, ok, type Result } from "./result";
import { ActorSchema } from "./rpc";
import type { CampaignDef } from "./store";
import type { ActorRef } from "./transitions";
import { campaignView } from "./views";

/** Creates the campaign once; a repeat answers what exists. */
export async function create(
  host: Host,
  args: { id: string; teamId: string; ownerId: string | null; input: CampaignInput },
) {
  const existing = host.store.getDef();
  if (existing) return campaignView(existing, host.store.prospects.statusCounts());
  const input = CampaignInputSchema.parse(args.input);
  const now = host.now();
  const def: CampaignDef = {
    id: args.id,
    teamId: args.teamId,
    ownerId: args.ownerId,
    name: input.name,
    shared: input.shared,
    jobId: input.jobId ?? null,
    jobStage: input.jobStage ?? null,
    businessDaysOnly: input.businessDaysOnly,
    sendingWindow: input.sendingWindow,
    trackOpens: input.trackOpens,
    trackClicks: input.trackClicks,
    unsubscribeLink: input.unsubscribeLink,
    stopCompanyOnReply: input.stopCompanyOnReply,
    status: input.status,
    stages: withStageIds(input.stages, () => crypto.randomUUID()),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  host.store.saveDef(def);
  await host.afterChange([]);
  return campaignView(def, {});
}

/**
 * An edit with the version it was read at (stale → 409). Stages are matched by id, so
 * everyone stays on the stage they were waiting for; a stage may be deleted only when
 * nobody still going (not Complete/Unsubscribed) is at or before it.
 */
export async function update(
  host: Host,
  patchInput: CampaignPatch,
  actor: ActorRef,
): Promise<Result<ReturnType<typeof campaignView>>> {
  const patch = CampaignPatchSchema.parse(patchInput);
  ActorSchema.parse(actor);
  const def = host.store.def();
  if (patch.version !== def.version) {
    return conflict(
      `The campaign was changed since you read it (version ${patch.version}; now ${def.version}). Reload and edit again.`,
    );
  }
  const plan = patch.stages
    ? planStageEdit(def.stages, patch.stages, () => crypto.randomUUID())
    : null;
  for (const { index } of plan?.removed ?? []) {
    const live = host.store.prospects.liveAt(stagesAtOrBefore(def.stages, index));
    if (live > 0) {
      return conflict(
        `Stage ${index + 1} cannot be deleted: ${live} prospect(s) not Complete or Unsubscribed are at or before it. Skip them past it first (select them on the Prospects tab, filtered by stage, and choose Skip stage).`,
      );
    }
  }
  const { version: _v, stages: _s, ...rest } = patch;
  const now = host.now();
  const next: CampaignDef = {
    ...def,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    stages: plan?.stages ?? def.stages,
    version: def.version + 1,
    updatedAt: now,
  };
  host.store.saveDef(next);
  for (const [from, to] of plan?.repoint ?? []) host.store.prospects.repoint(from, to, now);
  const moved = (plan?.stages ?? def.stages).some((s, i) => def.stages[i]?.id !== s.id);
  if (moved) host.store.prospects.touchAll(now);
  await host.afterChange([]);
  return ok(campaignView(next, host.store.prospects.statusCounts()));
}

export async function setStatus(host: Host, status: CampaignStatus, actor: ActorRef) {
  ActorSchema.parse(actor);
  const def = host.store.def();
  const next = { ...def, status, version: def.version + 1, updatedAt: host.now() };
  host.store.saveDef(next);
  await host.afterChange([]);
  return campaignView(next, host.store.prospects.statusCounts());
}
