import type { Decision } from "../core/engine/prospect";
import {
  type CampaignDef,
  type CampaignStore,
  type NewMessage,
  type Prospect,
  stageKey,
} from "./store";
import { type ActorRef, actorLabel, fromState, isSendStage, waitingMessage } from "./transitions";

/** One decision to apply: the prospect as read, the core's decision, and what the action sets. */
export type DecisionItem = {
  p: Prospect;
  decision: Decision;
  /** Whether the prospect's current stage has a committed send in flight (read by the caller). */
  sending: boolean;
  bypassValidation?: boolean;
  reasonDetail?: string | null;
};

/**
 * transitions.ts applyDecision for many prospects at once, with the same result row by
 * row, written per batch: the prospects in one statement, their history in one, their
 * Email Log messages (Waiting kept true, the left stage's canceled) in one, after one read
 * of their open messages. Each prospect appears once. Returns the stored prospects of the
 * decisions that were not refusals, in order.
 */
export function applyDecisions(
  store: CampaignStore,
  def: CampaignDef,
  items: DecisionItem[],
  actor: ActorRef,
  now: number,
): Prospect[] {
  const ok = items.flatMap((i) => (i.decision.ok ? [{ ...i, decision: i.decision }] : []));
  if (ok.length === 0) return [];
  const moved = ok.map(({ p, decision, sending, ...extra }) => ({
    p,
    sending,
    next: fromState(
      {
        ...p,
        reasonDetail: decision.next.reason ? (extra.reasonDetail ?? null) : null,
        bypassValidation: extra.bypassValidation ?? p.bypassValidation,
      },
      decision.next,
      def.stages,
    ),
  }));
  // holdWhileSending: a stage with a send in flight is not due again. The caller read the
  // current stage's; the sends at the stages some move to are read here, in one statement.
  const due = (next: Prospect) => next.nextAt !== null && next.status === "active";
  const elsewhere = moved.filter(({ p, next }) => due(next) && next.stageId !== p.stageId);
  const inFlight =
    elsewhere.length === 0
      ? new Set<string>()
      : store.messages.sendingOf(elsewhere.map(({ p }) => p.personId));
  const nexts = moved.map(({ p, sending, next }) => {
    const held =
      due(next) &&
      (next.stageId === p.stageId ? sending : inFlight.has(stageKey(p.personId, next.stageId)));
    return held ? { ...next, nextAt: null } : next;
  });
  const stored = store.prospects.updateMany(nexts, now);
  store.history.addMany(
    ok.map(({ p, decision, ...extra }) => ({
      personId: p.personId,
      at: now,
      actor: actorLabel(actor),
      action: decision.history.event,
      fromStatus: decision.history.fromStatus,
      toStatus: decision.history.toStatus,
      reason: decision.history.toReason,
      detail: decision.history.detail ?? extra.reasonDetail ?? null,
    })),
  );
  const open = store.messages.openByStage(ok.map((i) => i.p.personId));
  const writes: NewMessage[] = [];
  const cancels: { id: string; reason: string }[] = [];
  ok.forEach(({ p: before, decision }, i) => {
    const after = stored[i];
    const cancelReason =
      decision.history.event === "skip"
        ? "skipped"
        : (decision.next.reason ?? decision.history.event);
    // transitions.ts syncWaiting(before → after), on the messages read above.
    const was =
      before.stageId === null
        ? null
        : (open.get(stageKey(before.personId, before.stageId)) ?? null);
    const stage = after.stageId ? def.stages[after.stageIndex] : undefined;
    const wantsWaiting = after.status === "active" && after.nextAt !== null && isSendStage(stage);
    if (was && (!wantsWaiting || was.stageId !== after.stageId)) {
      cancels.push({ id: was.id, reason: cancelReason ?? after.reason ?? "canceled" });
    }
    if (!wantsWaiting || !stage) return;
    const current =
      was && was.stageId === after.stageId
        ? was
        : (open.get(stageKey(after.personId, stage.id)) ?? null);
    const message = waitingMessage(current, after, stage, now);
    if (message) writes.push(message);
  });
  store.messages.cancelMany(cancels);
  store.messages.putMany(writes);
  return stored;
}
