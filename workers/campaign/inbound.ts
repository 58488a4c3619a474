import { z } from "zod";
import { afterFailure } from "../core/engine/actions";
import { ReasonSchema } from "../core/engine/statuses";
import { recordReply } from "../metrics/record";
import type { Host } from "./host";
import { ActorSchema } from "./rpc";
import { type ActorRef, applyDecision, toState } from "./transitions";

/** What came back for one person of this campaign (by mail, or an SMS reply), as read on arrival. */
export const InboundOutcomeSchema = z.object({
  personId: z.string().min(1),
  reason: ReasonSchema.refine(
    (r) =>
      [
        "replied_email",
        "replied_sms",
        "out_of_office",
        "hard_bounce",
        "refused_as_spam",
        "soft_bounce",
        "complaint",
      ].includes(r),
    "Not an outcome a reply or report can bring",
  ),
  detail: z.string().max(2_000).nullable(),
  /** When an out-of-office ends. */
  resumeAt: z.number().nullable(),
  /** Our message the mail answers or reports on, when known. */
  messageRowId: z.string().nullable(),
  /** The Email Log status a report gives that message. */
  emailLogStatus: z.enum(["bounced", "spam", "not_delivered"]).nullable(),
  at: z.number(),
});
export type InboundOutcome = z.infer<typeof InboundOutcomeSchema>;

/**
 * Applies mail that came back: a reply makes the prospect Replied (and counts as a Reply
 * at the stage it answered), an out-of-office pauses until the return date, a report marks
 * the message and moves the prospect as DESIGN.md §1's automatic moves allow. Applying
 * the same mail twice changes nothing more.
 */
export async function applyInbound(host: Host, input: InboundOutcome, actor: ActorRef) {
  const o = InboundOutcomeSchema.parse(input);
  ActorSchema.parse(actor);
  const def = host.store.def();
  const now = host.now();
  const m = o.messageRowId ? host.store.messages.get(o.messageRowId) : null;
  const message = m && m.personId === o.personId ? m : null;
  if (
    message &&
    o.emailLogStatus &&
    (message.status === "sent" || message.status === "delivered")
  ) {
    host.store.messages.put({
      ...message,
      status: o.emailLogStatus,
      reason: o.detail ? `${o.reason}: ${o.detail}` : o.reason,
    });
  }
  const p = host.store.prospects.get(o.personId);
  if (o.reason === "replied_email" || o.reason === "replied_sms") {
    const channel = o.reason === "replied_sms" ? "sms" : "email";
    const answered = message ?? host.store.messages.lastSent(o.personId, channel);
    const stageId = answered?.stageId;
    if (stageId) {
      host.store.engagement.add({ personId: o.personId, stageId, kind: "reply", at: o.at });
      // The metrics' counters (D1); a reply is never an open.
      await recordReply(
        host.env.DB,
        {
          teamId: def.teamId,
          campaignId: def.id,
          stageId,
          personId: o.personId,
          mailboxId: answered?.mailboxId ?? null,
        },
        o.at,
      );
    }
  }
  if (!p) {
    await host.afterChange([]);
    return { applied: false, status: null };
  }
  const d = afterFailure(toState(p), o.reason, {
    detail: o.detail ?? undefined,
    ...(o.reason === "out_of_office" ? { resumeAt: o.resumeAt ?? now } : {}),
  });
  const stored = applyDecision(host.store, def, p, d, actor, now, { reasonDetail: o.detail });
  await host.afterChange(stored ? [stored] : []);
  return { applied: stored !== null, status: (stored ?? p).status };
}
