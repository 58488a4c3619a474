import { afterFailure, afterSend } from "../../core/engine/actions";
import type { Reason } from "../../core/engine/statuses";
import type { Message } from "../store";
import { applyDecision, SYSTEM, timingOf, toState } from "../transitions";
import type { PipelineContext } from "./context";

/** The prospect a message's answer moves: only while they are still at that stage. */
function prospectAt(c: PipelineContext, m: Message) {
  const p = c.store.prospects.get(m.personId);
  return p && p.stageId === m.stageId ? p : null;
}

/** The provider took it: Sent, and the prospect goes on to the next stage (or Complete). */
export function recordSent(c: PipelineContext, m: Message, providerId: string | null) {
  const now = c.now();
  c.store.messages.put({
    ...m,
    status: "sent",
    sentAt: now,
    providerId,
    reason: null,
    retryAt: null,
  });
  const p = prospectAt(c, m);
  if (!p) return;
  const d = afterSend(toState(p), c.def.stages, now, timingOf(c.def, p, c.teamTz));
  applyDecision(c.store, c.def, p, d, SYSTEM, now);
}

/** The provider refused it for good: Not Delivered, and so is the prospect (with the reason). */
export function recordRefused(c: PipelineContext, m: Message, reason: Reason, message: string) {
  c.store.messages.put({
    ...m,
    status: "not_delivered",
    reason: `${reason}: ${message}`,
    retryAt: null,
  });
  const p = prospectAt(c, m);
  if (!p) return;
  const d = afterFailure(toState(p), reason, { detail: message });
  applyDecision(c.store, c.def, p, d, SYSTEM, c.now(), { reasonDetail: message });
}
