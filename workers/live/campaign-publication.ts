import type { Flushed } from "../campaign/mirror";
import type { CampaignDef, CampaignStore, Message, Prospect } from "../campaign/store";
import { type AccountEntry, type EmailRow, EmailRowSchema } from "../core/live-feed";
import { emailLogRow } from "../data/email-log";

/**
 * What one mirror flush of a campaign tells the team feed: the campaign's summary (as the
 * campaigns list shows it), each written prospect as a profile's Outreach line, removals
 * as tombstones, and each written message as its Email Log row in the API's shape.
 */
export function campaignPublication(
  def: CampaignDef,
  store: CampaignStore,
  flushed: Flushed,
): AccountEntry[] {
  const statusCounts = store.prospects.statusCounts();
  const names = new Map(
    store.prospects
      .getMany([...new Set(flushed.messages.map((m) => m.personId))])
      .map((p) => [p.personId, p.name]),
  );
  const prospectCount = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return [
    {
      kind: "campaign",
      id: def.id,
      name: def.name,
      status: def.status,
      prospectCount,
      statusCounts,
      version: def.version,
    },
    ...flushed.prospects.map((p) => outreachEntry(def, p)),
    ...flushed.removed.map(
      (personId): AccountEntry => ({ kind: "outreach_removed", personId, campaignId: def.id }),
    ),
    ...flushed.messages.map(
      (m): AccountEntry => ({
        kind: "email",
        createdAt: m.createdAt,
        row: emailRow(def, m, names.get(m.personId) ?? null),
      }),
    ),
  ];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function outreachEntry(def: CampaignDef, p: Prospect): AccountEntry {
  // As the D1 mirror writes campaign_member: past the last stage names the last one.
  const next = p.nextAt ?? p.dueAt;
  return {
    kind: "outreach",
    personId: p.personId,
    campaignId: def.id,
    campaignName: def.name,
    status: p.status,
    reason: p.reason,
    stageIndex: p.stageIndex,
    stageId: p.stageId ?? def.stages[def.stages.length - 1]?.id ?? null,
    nextAt: iso(next),
  };
}

/**
 * The Email Log row the mirror wrote for a message, mapped as the API maps it, with the
 * names the API adds (the person's as the campaign knows it: first and last name).
 */
function emailRow(def: CampaignDef, m: Message, personName: string | null): EmailRow {
  return EmailRowSchema.parse({
    ...emailLogRow({
      id: m.id,
      teamId: def.teamId,
      campaignId: def.id,
      personId: m.personId,
      stageIndex: m.stageIndex,
      stageId: m.stageId,
      channel: m.channel,
      mailboxId: m.mailboxId,
      to: m.to,
      subject: m.subject,
      // The Email Log shows a message in flight as Waiting until the provider answers.
      status: m.status === "sending" ? "waiting" : m.status,
      reason: m.reason,
      scheduledAt: m.scheduledAt,
      sentAt: m.sentAt,
      messageId: m.messageId,
      providerId: m.providerId,
      // Engagement is written into D1 by the tracking endpoints, not by the campaign.
      openedAt: null,
      clickedAt: null,
      downloadedAt: null,
      repliedAt: null,
      rev: m.rev,
      createdAt: m.createdAt,
      toDigits: null,
    }),
    personName: personName || null,
    campaignName: def.name,
  });
}
