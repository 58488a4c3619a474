import { campaignStub } from "@workers/data/campaigns";
import { findTeamMessage } from "@workers/data/email-log";
import { userActor } from "./campaigns.server";

/**
 * The red X and Retry of a message: through the message's own Campaign DO, which answers
 * 409 with the reason when the message cannot be canceled (already sending, not Waiting)
 * or the prospect cannot be retried. Another team's message id is a thrown 404.
 */
export async function messageAction(
  env: Env,
  actor: { teamId: string; userId: string },
  input: { messageId: string; intent: "cancel" | "retry"; bypassValidation: boolean },
) {
  const row = await findTeamMessage(env, actor.teamId, input.messageId);
  if (!row) throw new Response("No such message in your team's Email Log.", { status: 404 });
  const stub = await campaignStub(env, row.campaignId);
  const by = userActor(actor.userId);
  const result =
    input.intent === "cancel"
      ? await stub.cancelMessage(row.id, by)
      : await stub.retryMessage(row.id, input.bypassValidation, by);
  return { row, result };
}
