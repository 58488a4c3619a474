import type { Flushed } from "../campaign/mirror";
import type { CampaignDef, CampaignStore, Prospect } from "../campaign/store";
import { messageRow, prospectRow } from "../campaign/views";
import type { AccountEntry, EmailRow } from "../core/live-feed";

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
  const statusCounts = flushed.statusCounts ?? store.prospects.statusCounts();
  // The names of the messages' people: those the flush wrote are at hand, the rest read once.
  const names = new Map(flushed.prospects.map((p) => [p.personId, p.name]));
  const unnamed = [...new Set(flushed.messages.map((m) => m.personId))].filter(
    (id) => !names.has(id),
  );
  for (const p of store.prospects.getMany(unnamed)) names.set(p.personId, p.name);
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
        // The API's row for the message, with the names the API adds (the person's as the
        // campaign knows it). Engagement is written into D1 by the tracking endpoints, not
        // by the campaign, so it is not part of it. Typed here; the Account DO validates
        // what it is given.
        row: {
          ...messageRow(m, def),
          personName: names.get(m.personId) || null,
          campaignName: def.name,
        } satisfies EmailRow,
      }),
    ),
  ];
}

function outreachEntry(def: CampaignDef, p: Prospect): AccountEntry {
  // The API's prospect row: past the last stage it names the last one, as the D1 mirror does.
  const row = prospectRow(p, def);
  return {
    kind: "outreach",
    personId: p.personId,
    campaignId: def.id,
    campaignName: def.name,
    status: p.status,
    reason: p.reason,
    stageIndex: p.stageIndex,
    stageId: row.stageId,
    nextAt: row.nextAt ?? null,
  };
}
