import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { ProspectActionNameSchema } from "@workers/core/engine/schemas";
import { STATUS_LABELS } from "@workers/core/engine/statuses";
import { enrollSummary, historyText, takesTargetCampaign } from "@workers/core/prospect-list";
import { getPerson } from "@workers/data/people";
import { db } from "@workers/db/client";
import { z } from "zod";
import { enrollPeople, requireTeamCampaign, userActor } from "~/lib/campaigns.server";

/** Nothing to show here: the section lives on the profile. */
export async function loader({ params }: LoaderFunctionArgs) {
  throw redirect(`/people/${params.id ?? ""}`);
}

const OutreachFormSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("act"),
    campaignId: z.string().trim().min(1, "Which campaign?"),
    action: ProspectActionNameSchema,
    toCampaignId: z.string().trim().min(1).optional(),
    moveId: z.string().trim().min(1).max(128).optional(),
  }),
  z.object({
    intent: z.literal("enroll"),
    campaignId: z.string({ error: "Choose a campaign" }).trim().min(1, "Choose a campaign"),
    /** "Add even if busy elsewhere": past the collision guard (enroll-conflicts.ts). */
    force: z.literal("1").optional(),
  }),
]);

/**
 * The profile's quick actions: an action on the person in one campaign (through the
 * campaign's DO, as the API's single action), or enrolling them in another campaign.
 * Answers with a redirect back to the profile carrying a one-line notice.
 */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const personId = params.id ?? "";
  const person = await getPerson(db(env), actor.teamId, personId);
  if (!person) throw new Response("No such person in your team.", { status: 404 });
  const back = (message: string, error = false) => {
    const sp = new URLSearchParams({ outreach: message });
    if (error) sp.set("tone", "error");
    return redirect(`/people/${personId}?${sp}#outreach`);
  };

  const form = Object.fromEntries(
    [...(await request.formData())].filter(([, v]) => typeof v === "string" && v.trim() !== ""),
  );
  const parsed = OutreachFormSchema.safeParse(form);
  if (!parsed.success) throw back(parsed.error.issues.map((i) => i.message).join(" "), true);
  const input = parsed.data;
  const campaign = await requireTeamCampaign(env, actor.teamId, input.campaignId);
  const name = campaign.row.name;

  if (input.intent === "enroll") {
    const result = await enrollPeople(
      env,
      actor.teamId,
      campaign,
      [personId],
      userActor(actor.userId),
      { force: input.force === "1" },
    );
    const held = result.enrolled === 0 && result.conflicts.length > 0;
    throw back(
      `${name}: ${enrollSummary(result, result.names)}${held ? " Tick “Add even if busy elsewhere” to add them anyway." : ""}`,
      result.enrolled === 0,
    );
  }

  if (takesTargetCampaign(input.action)) {
    if (!input.toCampaignId) throw back("Choose the campaign to move them to.", true);
    await requireTeamCampaign(env, actor.teamId, input.toCampaignId);
  }
  const result = await campaign.stub.act(
    {
      action: input.action,
      personIds: [personId],
      toCampaignId: input.toCampaignId,
      moveId: input.action === "move" ? (input.moveId ?? crypto.randomUUID()) : undefined,
    },
    userActor(actor.userId),
  );
  if (!result.ok) throw back(`${name}: ${result.message}`, true);
  const refused = result.value.refused[0];
  if (refused) {
    const why =
      refused.reason === "not_found" ? "they are no longer in this campaign" : refused.reason;
    throw back(`${name}: ${why}.`, true);
  }
  const after = await campaign.stub.outreach(personId);
  const note = result.value.notes[0] ? ` ${result.value.notes[0].note}.` : "";
  throw back(
    `${name}: ${historyText(input.action)}.${after ? ` Status: ${STATUS_LABELS[after.prospect.status]}.` : ""}${note}`,
  );
}
