import type { Decision, ProspectState, Timing } from "../core/engine/prospect";
import type { Stage } from "../core/engine/schemas";
import { newOrderedId } from "../core/ids";
import {
  type CampaignDef,
  type CampaignStore,
  type Message,
  type NewMessage,
  type Prospect,
  stageKey,
} from "./store";

/** Who did something, as written in a prospect's history. */
export type ActorRef = { kind: "user" | "api_key" | "system"; id: string };
export const SYSTEM: ActorRef = { kind: "system", id: "pipeline" };
export const actorLabel = (a: ActorRef) => `${a.kind}:${a.id}`;

/** Said when an action lands while the prospect's current stage is with the provider. */
export const ALREADY_SENDING =
  "The current stage is already sending: this takes effect from the next stage";

export function timingOf(def: CampaignDef, p: { timeZone: string | null }, teamTz: string): Timing {
  return {
    businessDaysOnly: def.businessDaysOnly,
    window: def.sendingWindow,
    timeZone: p.timeZone ?? teamTz,
  };
}

export const isSendStage = (s: Stage | undefined) =>
  s !== undefined && (s.type === "email" || s.type === "sms");

/** The core's view of a stored prospect: one due time, whatever the stage type. */
export function toState(p: Prospect): ProspectState {
  return {
    status: p.status,
    reason: p.reason,
    stageIndex: p.stageIndex,
    nextAt: p.nextAt ?? p.dueAt,
    stageEnteredAt: p.stageEnteredAt,
    attempt: p.attempt,
  };
}

/**
 * A core state back into the stored shape: the position becomes the stage's id; the
 * pipeline acts on `nextAt` only for send stages and holds that end by themselves; a
 * call/task stage's due time is just shown.
 */
export function fromState(p: Prospect, s: ProspectState, stages: Stage[]): Prospect {
  const stage = stages[s.stageIndex];
  const actedOn =
    (s.status === "active" && isSendStage(stage)) ||
    (s.status === "pending" && s.reason === "throttled") ||
    (s.status === "paused" && s.reason === "out_of_office");
  return {
    ...p,
    status: s.status,
    reason: s.reason,
    stageId: stage?.id ?? null,
    stageIndex: stage ? s.stageIndex : stages.length,
    stageEnteredAt: s.stageEnteredAt,
    attempt: s.attempt,
    nextAt: actedOn ? s.nextAt : null,
    dueAt: actedOn ? null : s.status === "active" ? s.nextAt : null,
  };
}

/**
 * A committed send is the prospect's send for that stage until it settles: while one is
 * in flight the stage is not due again (its answer moves the prospect on).
 */
export function holdWhileSending(
  store: CampaignStore,
  p: Prospect,
  sending?: Set<string>,
): Prospect {
  if (p.nextAt === null || p.status !== "active") return p;
  const inFlight = sending
    ? sending.has(stageKey(p.personId, p.stageId))
    : store.messages.inFlight(p.personId, p.stageId) !== null;
  return inFlight ? { ...p, nextAt: null } : p;
}

/**
 * Keeps the Email Log's Waiting row true to the prospect: one Waiting message while it is
 * Active and scheduled at an email/SMS stage; Canceled (with the reason) when it leaves.
 */
export function syncWaiting(
  store: CampaignStore,
  def: CampaignDef,
  before: Prospect | null,
  after: Prospect | null,
  now: number,
  cancelReason: string | null,
) {
  const open = before ? store.messages.open(before.personId, before.stageId) : null;
  const stage = after?.stageId ? def.stages[after.stageIndex] : undefined;
  const wantsWaiting =
    after !== null && after.status === "active" && after.nextAt !== null && isSendStage(stage);
  if (open && (!wantsWaiting || open.stageId !== after?.stageId)) {
    store.messages.put({
      ...open,
      status: "canceled",
      reason: cancelReason ?? after?.reason ?? "canceled",
    });
  }
  if (!wantsWaiting || !after || !stage) return;
  const current =
    open && open.stageId === after.stageId ? open : store.messages.open(after.personId, stage.id);
  const message = waitingMessage(current, after, stage, now);
  if (message) store.messages.put(message);
}

/**
 * The Waiting message of a prospect scheduled at a send stage: the stage's open message
 * rescheduled, or a new one; null when the open one already waits for that time.
 */
export function waitingMessage(
  current: Message | null,
  after: Prospect,
  stage: Stage,
  now: number,
): NewMessage | null {
  if (current && current.status === "waiting" && current.scheduledAt === after.nextAt) return null;
  const base: NewMessage = current ?? {
    id: newOrderedId(),
    personId: after.personId,
    stageId: stage.id,
    stageIndex: after.stageIndex,
    channel: stage.type === "sms" ? "sms" : "email",
    attempt: after.attempt,
    status: "waiting",
    reason: null,
    to: null,
    mailboxId: stage.type === "email" ? (stage.mailboxId ?? null) : null,
    subject: stage.type === "email" ? stage.subject : null,
    scheduledAt: after.nextAt,
    sentAt: null,
    messageId: null,
    providerId: null,
    idempotencyKey: null,
    batchId: null,
    createdAt: now,
  };
  return { ...base, status: "waiting", reason: null, scheduledAt: after.nextAt };
}

/**
 * Applies a decision of the core: writes the prospect and its history, keeps the Email Log
 * in step. Returns the stored prospect (or null when the decision was a refusal).
 */
export function applyDecision(
  store: CampaignStore,
  def: CampaignDef,
  prospect: Prospect,
  decision: Decision,
  actor: ActorRef,
  now: number,
  extra: Partial<Pick<Prospect, "reasonDetail" | "bypassValidation">> = {},
): Prospect | null {
  if (!decision.ok) return null;
  const next = holdWhileSending(
    store,
    fromState(
      {
        ...prospect,
        reasonDetail: decision.next.reason ? (extra.reasonDetail ?? null) : null,
        bypassValidation: extra.bypassValidation ?? prospect.bypassValidation,
      },
      decision.next,
      def.stages,
    ),
  );
  const stored = store.prospects.update(next, now);
  store.history.add({
    personId: prospect.personId,
    at: now,
    actor: actorLabel(actor),
    action: decision.history.event,
    fromStatus: decision.history.fromStatus,
    toStatus: decision.history.toStatus,
    reason: decision.history.toReason,
    detail: decision.history.detail ?? extra.reasonDetail ?? null,
  });
  const cancelReason =
    decision.history.event === "skip"
      ? "skipped"
      : (decision.next.reason ?? decision.history.event);
  syncWaiting(store, def, prospect, stored, now, cancelReason);
  return stored;
}
