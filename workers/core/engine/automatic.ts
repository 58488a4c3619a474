import {
  currentStage,
  type Decision,
  enterStage,
  historyOf,
  leavesWaiting,
  NO_TIMING,
  type ProspectState,
  resumeAtStage,
  type Timing,
} from "./prospect";
import type { Stage } from "./schemas";
import {
  type ProspectStatus,
  type Reason,
  STATUS_LABELS,
  STATUSES,
  statusOfReason,
} from "./statuses";

const ALL_BUT_UNSUBSCRIBED = STATUSES.filter((s) => s !== "unsubscribed");
/** Outcomes of mail already sent can arrive after the prospect moved on (paused, complete…). */
const AFTER_DELIVERY: readonly ProspectStatus[] = [
  "active",
  "pending",
  "paused",
  "complete",
  "failed",
  "not_delivered",
];
/** The pipeline's own holds and failures apply only to a prospect it is working on. */
const IN_PIPELINE: readonly ProspectStatus[] = ["active", "pending"];

/** From which statuses each automatic move (DESIGN.md §1 "Automatic moves") may happen. */
export const AUTOMATIC_MOVES: Record<Reason, readonly ProspectStatus[]> = {
  throttled: IN_PIPELINE,
  validation_failed: IN_PIPELINE,
  missing_merge_field: IN_PIPELINE,
  paused_by_user: [],
  out_of_office: IN_PIPELINE,
  replied_email: ALL_BUT_UNSUBSCRIBED,
  replied_sms: ALL_BUT_UNSUBSCRIBED,
  marked_replied: [],
  completed: [],
  marked_finished: [],
  hard_bounce: [...AFTER_DELIVERY, "spam"],
  refused_as_spam: [...AFTER_DELIVERY, "bounced"],
  complaint: [...AFTER_DELIVERY, "bounced", "replied"],
  // A Waiting message exists only while the prospect is Active.
  canceled: ["active"],
  invalid_recipient: AFTER_DELIVERY,
  soft_bounce: AFTER_DELIVERY,
  provider_rejected: AFTER_DELIVERY,
  null_email: IN_PIPELINE,
  too_many_retries: IN_PIPELINE,
  email_limit: IN_PIPELINE,
  email_not_synced: IN_PIPELINE,
  no_account_selected: IN_PIPELINE,
  no_phone: IN_PIPELINE,
  unsubscribed: ALL_BUT_UNSUBSCRIBED,
  sms_stop: ALL_BUT_UNSUBSCRIBED,
};

/**
 * The current stage went out: the next stage is scheduled after its delay (Active), or the
 * prospect is Complete. A pause or finish that arrived during the send wins: the status
 * stays, only the progress moves on.
 */
export function afterSend(
  prospect: ProspectState,
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): Decision {
  const sent = currentStage(prospect, stages);
  if (!sent) return { ok: false, reason: "Every stage has already been done" };
  const nextIndex = prospect.stageIndex + 1;
  const next: ProspectState =
    prospect.status === "active" || prospect.status === "pending"
      ? enterStage(prospect, nextIndex, stages, now, timing)
      : { ...prospect, stageIndex: nextIndex, stageEnteredAt: now, nextAt: null, attempt: 0 };
  return {
    ok: true,
    next,
    history: historyOf("sent", prospect, next, sent.id),
    cancelWaiting: false,
  };
}

export type OutcomeOptions = {
  /** When a hold ends: required for `throttled` (the allowance opens) and `out_of_office` (the return date). */
  resumeAt?: number;
  /** For the timeline: SMTP status and diagnostic, provider message, missing fields… */
  detail?: string;
};

/**
 * An automatic move by reason code (DESIGN.md §1): the pipeline's holds and failures,
 * non-delivery, bounces, spam, replies, out-of-office and unsubscribes. Refused (and the
 * stored state kept) when the prospect has moved where that outcome no longer applies.
 */
export function afterFailure(
  prospect: ProspectState,
  reason: Reason,
  options: OutcomeOptions = {},
): Decision {
  const status = statusOfReason(reason);
  const holds = reason === "throttled" || reason === "out_of_office";
  if (holds && options.resumeAt === undefined) {
    throw new Error(`afterFailure: ${reason} needs resumeAt`);
  }
  if (prospect.status === status && prospect.reason === reason) {
    return { ok: false, reason: `Already ${STATUS_LABELS[status]} (${reason})` };
  }
  if (!AUTOMATIC_MOVES[reason].includes(prospect.status)) {
    return {
      ok: false,
      reason: `${STATUS_LABELS[prospect.status]} prospect does not become ${STATUS_LABELS[status]} (${reason})`,
    };
  }
  const next: ProspectState = {
    ...prospect,
    status,
    reason,
    nextAt: holds ? (options.resumeAt ?? null) : null,
  };
  return {
    ok: true,
    next,
    history: historyOf("outcome", prospect, next, null, options.detail),
    cancelWaiting: leavesWaiting(prospect, next),
  };
}

/**
 * A hold that ends by itself: Pending `throttled` when the allowance opens, Paused
 * `out_of_office` on the return date → Active at the current stage.
 */
export function autoResume(
  prospect: ProspectState,
  stages: Stage[],
  now: number,
  timing: Timing = NO_TIMING,
): Decision {
  const resumable =
    (prospect.status === "pending" && prospect.reason === "throttled") ||
    (prospect.status === "paused" && prospect.reason === "out_of_office");
  if (!resumable) {
    return {
      ok: false,
      reason: `${STATUS_LABELS[prospect.status]} prospect does not resume by itself`,
    };
  }
  if (prospect.nextAt === null || prospect.nextAt > now) {
    return { ok: false, reason: "The hold has not ended yet" };
  }
  const next = resumeAtStage(prospect, stages, now, timing);
  return {
    ok: true,
    next,
    history: historyOf("resumed", prospect, next, currentStage(prospect, stages)?.id ?? null),
    cancelWaiting: false,
  };
}

/**
 * A due prospect the send path cannot act on as it stands: past the last stage (after an
 * edit) it is Complete; at a call/task stage it waits for a person, not the pipeline.
 * Refused when the stage is one the pipeline sends.
 */
export function reconcileDue(prospect: ProspectState, stages: Stage[], now: number): Decision {
  const stage = currentStage(prospect, stages);
  if (stage && (stage.type === "email" || stage.type === "sms")) {
    return { ok: false, reason: "The stage is one the pipeline sends" };
  }
  const next = stage ? prospect : enterStage(prospect, stages.length, stages, now, NO_TIMING);
  return {
    ok: true,
    next,
    history: historyOf("outcome", prospect, next, stage?.id ?? null),
    cancelWaiting: leavesWaiting(prospect, next),
  };
}
