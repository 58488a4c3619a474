import { nextDueAt } from "./schedule";
import type { ProspectActionName, SendingWindow, Stage } from "./schemas";
import type { ProspectStatus, Reason } from "./statuses";

/**
 * A prospect's place in a campaign. `stageIndex` is the stage that has NOT yet been done
 * (the one waiting, failing or being sent); after the last stage it equals
 * `stages.length` (Complete `completed`). `marked_finished` keeps the index where it was.
 */
export type ProspectState = {
  status: ProspectStatus;
  reason: Reason | null;
  stageIndex: number;
  /** When the current stage is due (or a hold ends), ms since epoch; null when nothing is scheduled. */
  nextAt: number | null;
  /** When the prospect reached the current stage: its delay counts from here. */
  stageEnteredAt: number;
  /** Attempts at the current stage so far (0 before the first). */
  attempt: number;
};

/** The state after a move; always complete, so it can replace the stored row. */
export type ProspectPatch = ProspectState;

export type HistoryEvent = ProspectActionName | "sent" | "outcome" | "resumed";

export type HistoryEntry = {
  event: HistoryEvent;
  fromStatus: ProspectStatus;
  fromReason: Reason | null;
  fromStageIndex: number;
  toStatus: ProspectStatus;
  toReason: Reason | null;
  toStageIndex: number;
  /** The stage the event concerns (sent, skipped, failed, completed task), when there is one. */
  stageId: string | null;
  /** Extra words for the timeline, e.g. a bounce diagnostic. */
  detail?: string;
};

export type Decision =
  | {
      ok: true;
      next: ProspectPatch;
      history: HistoryEntry;
      /** The prospect was Active and left Active or its stage: its Waiting message becomes Canceled. */
      cancelWaiting: boolean;
    }
  | { ok: false; reason: string };

/** Campaign and prospect settings that decide when a stage may go out. */
export type Timing = {
  businessDaysOnly: boolean;
  window: SendingWindow | null;
  timeZone: string;
};

export const NO_TIMING: Timing = { businessDaysOnly: false, window: null, timeZone: "UTC" };

/** The stage the prospect is at, or null when every stage is done. */
export function currentStage(p: ProspectState, stages: Stage[]): Stage | null {
  return stages[p.stageIndex] ?? null;
}

/** The earliest allowed time at or after `earliest`, honouring business days and the window. */
export function fitTime(earliest: number, timing: Timing): number {
  return nextDueAt({ from: earliest, delayMinutes: 0, ...timing });
}

/** Moves a prospect to `index` as Active, due after that stage's delay from `now`; past the last stage → Complete. */
export function enterStage(
  p: ProspectState,
  index: number,
  stages: Stage[],
  now: number,
  timing: Timing,
): ProspectState {
  const stage = stages[index];
  if (!stage) {
    return {
      ...p,
      status: "complete",
      reason: "completed",
      stageIndex: stages.length,
      nextAt: null,
      attempt: 0,
    };
  }
  return {
    status: "active",
    reason: null,
    stageIndex: index,
    nextAt: nextDueAt({ from: now, delayMinutes: stage.delayMinutes, ...timing }),
    stageEnteredAt: now,
    attempt: 0,
  };
}

/** Active again at the current stage: due once its delay (from entering it) has run out, and not before now. */
export function resumeAtStage(
  p: ProspectState,
  stages: Stage[],
  now: number,
  timing: Timing,
): ProspectState {
  const stage = currentStage(p, stages);
  if (!stage) return enterStage(p, stages.length, stages, now, timing);
  const delayEnds = nextDueAt({
    from: p.stageEnteredAt,
    delayMinutes: stage.delayMinutes,
    ...timing,
  });
  return {
    ...p,
    status: "active",
    reason: null,
    nextAt: delayEnds > now ? delayEnds : fitTime(now, timing),
  };
}

export function historyOf(
  event: HistoryEvent,
  from: ProspectState,
  to: ProspectState,
  stageId: string | null,
  detail?: string,
): HistoryEntry {
  return {
    event,
    fromStatus: from.status,
    fromReason: from.reason,
    fromStageIndex: from.stageIndex,
    toStatus: to.status,
    toReason: to.reason,
    toStageIndex: to.stageIndex,
    stageId,
    ...(detail ? { detail } : {}),
  };
}

export function leavesWaiting(from: ProspectState, to: ProspectState): boolean {
  return from.status === "active" && (to.status !== "active" || to.stageIndex !== from.stageIndex);
}
