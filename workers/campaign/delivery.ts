import { z } from "zod";
import { afterFailure } from "../core/engine/actions";
import { ReasonSchema } from "../core/engine/statuses";
import { nextEmailStatus } from "../core/webhooks/resend-events";
import type { Host } from "./host";
import { ActorSchema } from "./rpc";
import { type ActorRef, applyDecision, toState } from "./transitions";

/** A provider's delivery event for one of our messages (Resend's webhook), already mapped. */
export const DeliveryInputSchema = z.object({
  messageRowId: z.string().min(1),
  emailLog: z.enum(["sent", "delivered", "bounced", "spam", "not_delivered"]),
  prospect: ReasonSchema.nullable(),
  detail: z.string().max(2_000).nullable(),
});
export type DeliveryInput = z.infer<typeof DeliveryInputSchema>;

/**
 * Applies a delivery event: the message's Email Log status moves forward only
 * (`nextEmailStatus`: a late `delivered` never overwrites `bounced`), and only when it
 * moved does the prospect follow (DESIGN.md §1's automatic moves). The same event twice,
 * or an older one, changes nothing.
 */
export async function applyDelivery(host: Host, input: DeliveryInput, actor: ActorRef) {
  const o = DeliveryInputSchema.parse(input);
  ActorSchema.parse(actor);
  const m = host.store.messages.get(o.messageRowId);
  if (!m) return { found: false, changed: false, status: null, prospect: null };
  const next = nextEmailStatus(m.status, o.emailLog);
  if (!next) {
    return { found: true, changed: false, status: m.status, prospect: null };
  }
  host.store.messages.put({
    ...m,
    status: next,
    reason: o.prospect ? (o.detail ? `${o.prospect}: ${o.detail}` : o.prospect) : m.reason,
  });
  const p = o.prospect ? host.store.prospects.get(m.personId) : null;
  if (!p || !o.prospect) {
    await host.afterChange([]);
    return { found: true, changed: true, status: next, prospect: null };
  }
  const d = afterFailure(toState(p), o.prospect, { detail: o.detail ?? undefined });
  const stored = applyDecision(host.store, host.store.def(), p, d, actor, host.now(), {
    reasonDetail: o.detail,
  });
  await host.afterChange(stored ? [stored] : []);
  return {
    found: true,
    changed: true,
    status: next,
    prospect: { personId: p.personId, status: (stored ?? p).status },
  };
}
