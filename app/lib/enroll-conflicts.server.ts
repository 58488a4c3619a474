// The enroll dialog's conflict list: who was held back, where, by whom and when, in words.
import type { EnrollConflict } from "@workers/data/enroll-conflicts";
import { listMembers } from "@workers/data/members";
import { getTeamSettings } from "@workers/data/teams";
import { teamCampaignNames } from "~/lib/campaigns.server";
import { formatDateTime } from "~/lib/time";

/** One conflict as the dialog shows it. */
export type ConflictRow = {
  personId: string;
  personName: string;
  campaignId: string;
  campaignName: string;
  kind: EnrollConflict["kind"];
  byName: string | null;
  atText: string | null;
};

const SHOWN = 50;

/**
 * The conflicts of an enrollment with names, at most 50 rows (the count says how many
 * more), and the ids held back (not enrolled), which "Enroll anyway" posts again.
 */
export async function conflictDetails(
  env: Env,
  teamId: string,
  result: { conflicts: EnrollConflict[]; enrolledIds: string[]; names: Map<string, string> },
): Promise<{ rows: ConflictRow[]; more: number; held: string[] }> {
  if (result.conflicts.length === 0) return { rows: [], more: 0, held: [] };
  const [campaigns, members, settings] = await Promise.all([
    teamCampaignNames(env, teamId),
    listMembers(env, teamId),
    getTeamSettings(env, teamId),
  ]);
  const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
  const memberName = new Map(members.map((m) => [m.userId, m.name]));
  const enrolled = new Set(result.enrolledIds);
  const held = [...new Set(result.conflicts.map((c) => c.personId))].filter(
    (id) => !enrolled.has(id),
  );
  const rows = result.conflicts.slice(0, SHOWN).map((c) => ({
    personId: c.personId,
    personName: result.names.get(c.personId) || c.personId,
    campaignId: c.campaignId,
    campaignName: campaignName.get(c.campaignId) ?? "another campaign",
    kind: c.kind,
    byName: c.by ? (memberName.get(c.by) ?? "a former teammate") : null,
    atText: c.at ? formatDateTime(c.at, settings.timeZone) : null,
  }));
  return { rows, more: Math.max(0, result.conflicts.length - SHOWN), held };
}
