import type { Flushed } from "../campaign/mirror";
import type { CampaignDef, CampaignStore, Prospect } from "../campaign/store";
import { messageRow, prospectRow } from "../campaign/views";
import type { AccountEntry, EmailRow } from "../core/live-feed";

/**
 * Rows one publish carries one by one; a flush that wrote more (a big enroll, a bulk
 * action) is published as its summary and one `reload` entry: pages showing the
 * campaign's rows read them again, instead of the team feed logging and sending thousands
 * of entries no page applies faster than it reloads.
 */
export const PUBLISH_ROWS_MAX = 500;

/**
 * What one mirror flush of a campaign tells the team feed: the campaign's summary (as the
 * campaigns list shows it), each written prospect as a profile's Outreach line, removals
 * as tombstones, and each written message as its Email Log row in the API's shape — or,
 * past PUBLISH_ROWS_MAX rows, the summary and a `reload`.
 */
export function campaignPublication(
  def: CampaignDef,
  store: CampaignStore,
  flushed: Flushed,
): AccountEntry[] {
  const statusCounts = flushed.statusCounts ?? store.prospects.statusCounts();
  const prospectCount = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  const summary: AccountEntry = {
    kind: "campaign",
    id: def.id,
    name: def.name,
    status: def.status,
    prospectCount,
    statusCounts,
    version: def.version,
  };
  const rows = flushed.prospects.length + flushed.removed.length + flushed.messages.length;
  if (rows > PUBLISH_ROWS_MAX) return [summary, { kind: "reload", campaignId: def.id }];
  // The names of the messages' people: those the flush wrote are at hand, the rest read once.
  const names = new Map(flushed.prospects.map((p) => [p.personId, p.name]));
  const unnamed = [...new Set(flushed.messages.map((m) => m.personId))].filter(
    (id) => !names.has(id),
  );
  for (const p of store.prospects.getMany(unnamed)) names.set(p.personId, p.name);
  return [
    summary,
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
