import { reasonLabel } from "../core/engine/statuses";
import { logStatus } from "./mirror";
import type { CampaignDef, Message, Prospect } from "./store";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A prospect row of the API (DESIGN.md §3). */
export function prospectRow(p: Prospect, def: CampaignDef) {
  // Past the last stage, the row names the last one (as the D1 mirror does).
  const stageId = p.stageId ?? def.stages[def.stages.length - 1]?.id ?? null;
  return {
    personId: p.personId,
    name: p.name,
    status: p.status,
    reason: p.reason ?? undefined,
    reasonLabel: p.reason ? reasonLabel(p.reason, p.reasonDetail ?? undefined) : undefined,
    reasonDetail: p.reasonDetail ?? undefined,
    stageIndex: p.stageIndex,
    stageId,
    nextAt: iso(p.nextAt ?? p.dueAt) ?? undefined,
    enrolledAt: iso(p.enrolledAt),
    updatedAt: iso(p.updatedAt),
  };
}
export type ProspectRow = ReturnType<typeof prospectRow>;

/** An Email Log row of the API (DESIGN.md §3), from the DO's own message. */
export function messageRow(m: Message, def: CampaignDef) {
  return {
    id: m.id,
    campaignId: def.id,
    personId: m.personId,
    stageIndex: m.stageIndex,
    stageId: m.stageId,
    channel: m.channel,
    mailboxId: m.mailboxId,
    to: m.to,
    subject: m.subject,
    status: logStatus(m),
    scheduledAt: iso(m.scheduledAt),
    sentAt: iso(m.sentAt),
    messageId: m.messageId,
    providerId: m.providerId,
    reason: m.reason ?? undefined,
  };
}

export function campaignView(def: CampaignDef, counts: Record<string, number>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    id: def.id,
    name: def.name,
    ownerId: def.ownerId,
    shared: def.shared,
    jobId: def.jobId,
    jobStage: def.jobStage,
    businessDaysOnly: def.businessDaysOnly,
    sendingWindow: def.sendingWindow,
    trackOpens: def.trackOpens,
    trackClicks: def.trackClicks,
    unsubscribeLink: def.unsubscribeLink,
    stopCompanyOnReply: def.stopCompanyOnReply,
    status: def.status,
    stages: def.stages,
    version: def.version,
    prospectCount: total,
    statusCounts: counts,
    createdAt: iso(def.createdAt),
    updatedAt: iso(def.updatedAt),
  };
}
export type CampaignView = ReturnType<typeof campaignView>;
