import { allowedActions } from "@workers/core/engine/actions";
import type { ProspectActionName, Stage } from "@workers/core/engine/schemas";
import { ONE_CLICK_ACTIONS } from "@workers/core/prospect-list";
import { campaignStub, membershipsOf } from "@workers/data/campaigns";
import { listMembers } from "@workers/data/members";
import { getTeamSettings } from "@workers/data/teams";
import { db } from "@workers/db/client";
import { teamCampaignNames } from "./campaigns.server";

/** Quick actions shown as buttons; those that take another campaign have their own forms. */
const BUTTON_ACTIONS = new Set<ProspectActionName>(ONE_CLICK_ACTIONS);

function stageLabel(s: Stage | undefined): string | null {
  if (!s) return null;
  if (s.type === "email") return `Email: ${s.subject}`;
  if (s.type === "sms") return "SMS";
  return `${s.type === "call" ? "Call" : "Task"}: ${s.title}`;
}

function actorName(actor: string, members: Map<string, string>): string {
  const [kind, id] = actor.split(":", 2);
  if (kind === "user") return members.get(id) ?? "A former teammate";
  if (kind === "api_key") return "An API key";
  return "Beacon";
}

/**
 * The person profile's Outreach section: each campaign the person is in (from the D1
 * mirror), read fresh from its Campaign DO for status, history and messages, with the
 * actions the status allows; and the team's other campaigns for "Add to campaign".
 */
export async function loadOutreach(env: Env, teamId: string, personId: string) {
  const [memberships, campaigns, members, settings] = await Promise.all([
    membershipsOf(db(env), teamId, personId),
    teamCampaignNames(env, teamId),
    listMembers(env, teamId),
    getTeamSettings(env, teamId),
  ]);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const entries = (
    await Promise.all(
      memberships.map(async (m) => {
        const stub = await campaignStub(env, m.campaignId);
        const [outreach, view] = await Promise.all([stub.outreach(personId), stub.view()]);
        // The mirror may lag a removal by a moment: the DO has the last word.
        if (!outreach || !view) return null;
        const stage = view.stages[outreach.prospect.stageIndex];
        const atTask = stage?.type === "call" || stage?.type === "task";
        return {
          campaign: outreach.campaign,
          prospect: outreach.prospect,
          stageCount: view.stages.length,
          stageLabel: stageLabel(stage),
          actions: allowedActions(outreach.prospect.status).filter(
            (a) => BUTTON_ACTIONS.has(a) && (a !== "complete_task" || atTask),
          ),
          history: outreach.history
            .slice(-10)
            .reverse()
            .map((h, i) => ({
              // History is append-only and shown newest first: position is a stable key.
              key: `${h.at}-${outreach.history.length - i}`,
              at: new Date(h.at).toISOString(),
              who: actorName(h.actor, names),
              action: h.action,
              toStatus: h.toStatus,
              reason: h.reason,
            })),
          messages: outreach.messages.slice(-10).reverse(),
        };
      }),
    )
  ).filter((e) => e !== null);
  const inIds = new Set(entries.map((e) => e.campaign.id));
  return {
    entries,
    campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, enrolled: inIds.has(c.id) })),
    moveId: crypto.randomUUID(),
    now: Date.now(),
    timeZone: settings.timeZone,
  };
}
export type OutreachData = Awaited<ReturnType<typeof loadOutreach>>;
