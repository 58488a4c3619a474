import {
  currentStage,
  type Decision,
  enterStage,
  fitTime,
  historyOf,
  leavesWaiting,
  NO_TIMING,
  type ProspectState,
  resumeAtStage,
  type Timing,
} from "./prospect";
import type { ProspectActionName, Stage } from "./schemas";
import { type ProspectStatus, STATUS_LABELS, STATUSES } from "./statuses";

export { AUTOMATIC_MOVES, afterFailure, afterSend, autoResume, reconcileDue } from "./automatic";
export type {
  Decision,
  HistoryEntry,
  HistoryEvent,
  ProspectPatch,
  ProspectState,
  Timing,
} from "./prospect";
export { currentStage, NO_TIMING } from "./prospect";

type ActionRule = {
  /** The statuses the action is allowed from. */
  from: readonly ProspectStatus[];
  /** Refusal wording: "Cannot {verb} a Complete prospect{tail}". */
  verb: string;
  tail?: string;
  /** The result, in the words of DESIGN.md §1. */
  result: string;
};

const EVERY_STATUS = STATUSES;

/** The action table of DESIGN.md §1, as data. */
export const ACTIONS: Record<ProspectActionName, ActionRule> = {
  pause: { from: ["active", "pending"], verb: "pause", result: "Paused" },
  unpause: {
    from: ["paused", "replied"],
    verb: "unpause",
    result: "Active; the current stage is due now, or later if its delay has not run out",
  },
  finish: {
    from: EVERY_STATUS.filter((s) => s !== "complete" && s !== "unsubscribed"),
    verb: "mark",
    tail: " finished",
    result: "Complete (marked_finished)",
  },
  skip: {
    from: ["active", "pending", "failed", "not_delivered"],
    verb: "skip the stage of",
    result: "the next stage, or Complete",
  },
  complete_task: {
    from: ["active"],
    verb: "complete the task of",
    result: "the next stage, or Complete",
  },
  retry: {
    from: ["failed", "not_delivered", "pending", "bounced", "spam"],
    verb: "retry",
    result: "Active; the current stage is attempted again now",
  },
  mark_replied: {
    from: ["active", "pending", "paused"],
    verb: "mark",
    tail: " replied",
    result: "Replied (marked_replied)",
  },
  remove: { from: EVERY_STATUS, verb: "remove", result: "leaves the campaign" },
  add_to: { from: EVERY_STATUS, verb: "add", result: "enrolled in another campaign as well" },
  move: { from: EVERY_STATUS, verb: "move", result: "moved to another campaign" },
};

/** True when the action table allows `action` from `status`. */
export function actionAllowed(action: ProspectActionName, status: ProspectStatus): boolean {
  return ACTIONS[action].from.includes(status);
}

/** The actions the table allows from a status, for quick-action buttons. */
export function allowedActions(status: ProspectStatus): ProspectActionName[] {
  return (Object.keys(ACTIONS) as ProspectActionName[]).filter((a) => actionAllowed(a, status));
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? "an" : "a";
}

/** The 409 wording for an action a status does not allow: "Cannot pause a Complete prospect". */
export function refusal(action: ProspectActionName, status: ProspectStatus): string {
  const rule = ACTIONS[action];
  const label = STATUS_LABELS[status];
  return `Cannot ${rule.verb} ${article(label)} ${label} prospect${rule.tail ?? ""}`;
}

/**
 * Decides a user's action on one prospect: the state it leads to and its history entry,
 * or the reason it is refused. `timing` fits due times into business days and the window.
 */
export function decideAction(
  prospect: ProspectState,
  action: ProspectActionName,
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): Decision {
  if (!actionAllowed(action, prospect.status)) {
    return { ok: false, reason: refusal(action, prospect.status) };
  }
  const stage = currentStage(prospect, stages);
  const stageId = stage?.id ?? null;
  const done = (next: ProspectState, cancelWaiting = leavesWaiting(prospect, next)): Decision => ({
    ok: true,
    next,
    history: historyOf(action, prospect, next, stageId),
    cancelWaiting,
  });

  switch (action) {
    case "pause":
      return done({ ...prospect, status: "paused", reason: "paused_by_user", nextAt: null });
    case "unpause":
      return done(resumeAtStage(prospect, stages, now, timing));
    case "finish":
      return done({ ...prospect, status: "complete", reason: "marked_finished", nextAt: null });
    case "skip":
      return done(enterStage(prospect, prospect.stageIndex + 1, stages, now, timing));
    case "complete_task":
      if (!stage || (stage.type !== "call" && stage.type !== "task")) {
        const what = stage ? `an ${stage.type === "email" ? "email" : "SMS"}` : "finished";
        return {
          ok: false,
          reason: `Cannot complete a task: stage ${prospect.stageIndex + 1} is ${what}, not a call or task`,
        };
      }
      return done(enterStage(prospect, prospect.stageIndex + 1, stages, now, timing));
    case "retry":
      if (!stage) return done(enterStage(prospect, stages.length, stages, now, timing));
      return done({
        ...prospect,
        status: "active",
        reason: null,
        nextAt: fitTime(now, timing),
        attempt: prospect.attempt + 1,
      });
    case "mark_replied":
      return done({ ...prospect, status: "replied", reason: "marked_replied", nextAt: null });
    case "remove":
    case "add_to":
    case "move":
      // The Campaign DO does the work (delete, enroll elsewhere, move with history).
      return done(prospect, action !== "add_to" && prospect.status === "active");
  }
}

export type BulkInput = { personId: string; state: ProspectState };
export type Applied = Extract<Decision, { ok: true }>;
export type BulkDecisions = {
  applied: { personId: string; decision: Applied }[];
  refused: { personId: string; reason: string }[];
};

/** A bulk action: applied where the table allows it, refused with the reason elsewhere. */
export function decideBulk(
  prospects: BulkInput[],
  action: ProspectActionName,
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): BulkDecisions {
  const result: BulkDecisions = { applied: [], refused: [] };
  for (const { personId, state } of prospects) {
    const d = decideAction(state, action, stages, now, timing);
    if (d.ok) result.applied.push({ personId, decision: d });
    else result.refused.push({ personId, reason: d.reason });
  }
  return result;
}

/** A newly enrolled prospect: Active at the first stage, due after its delay from now. */
export function enrolledState(
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): ProspectState {
  const blank: ProspectState = {
    status: "active",
    reason: null,
    stageIndex: 0,
    nextAt: null,
    stageEnteredAt: now,
    attempt: 0,
  };
  return enterStage(blank, 0, stages, now, timing);
}

/**
 * A prospect moved into another campaign starts at its first stage as Active; Complete
 * and Unsubscribed prospects keep their status (and stay out of the schedule).
 */
export function movedState(
  from: ProspectState,
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): ProspectState {
  if (from.status === "complete" || from.status === "unsubscribed") {
    return {
      status: from.status,
      reason: from.reason,
      stageIndex: from.status === "complete" ? stages.length : 0,
      nextAt: null,
      stageEnteredAt: now,
      attempt: 0,
    };
  }
  return enrolledState(stages, now, timing);
}
