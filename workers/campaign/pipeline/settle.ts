import { afterFailure, afterSend } from "../../core/engine/actions";
import type { Reason } from "../../core/engine/statuses";
import { applyDecisions, type DecisionItem } from "../batch-apply";
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

/**
 * recordSent for a batch's accepted messages (one per prospect): the messages Sent in one
 * statement, their prospects moved on with applyDecisions (one statement each for the
 * prospects, history and Email Log). Row by row the same as recordSent.
 */
export function recordSentMany(
  c: PipelineContext,
  sent: { m: Message; providerId: string | null }[],
) {
  if (sent.length === 0) return;
  const now = c.now();
  const stored = c.store.messages.putMany(
    sent.map(({ m, providerId }) => ({
      ...m,
      status: "sent" as const,
      sentAt: now,
      providerId,
      reason: null,
      retryAt: null,
    })),
  );
  const def = c.def;
  const at = new Map(
    c.store.prospects.getMany(stored.map((m) => m.personId)).map((p) => [p.personId, p]),
  );
  const items: DecisionItem[] = [];
  for (const m of stored) {
    const p = at.get(m.personId);
    if (!p || p.stageId !== m.stageId) continue;
    at.delete(m.personId); // one move per prospect
    items.push({
      p,
      decision: afterSend(toState(p), def.stages, now, timingOf(def, p, c.teamTz)),
      // Its send just settled: nothing of this stage is in flight any more.
      sending: false,
    });
  }
  applyDecisions(c.store, def, items, SYSTEM, now);
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
