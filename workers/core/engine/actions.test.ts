import { describe, expect, it } from "vitest";
import {
  afterFailure,
  afterSend,
  allowedActions,
  autoResume,
  decideAction,
  decideBulk,
  enrolledState,
  movedState,
  type ProspectState,
} from "./actions";
import { PROSPECT_ACTIONS, type ProspectActionName, type Stage } from "./schemas";
import { type ProspectStatus, type Reason, STATUSES } from "./statuses";

const MIN = 60_000;
const T0 = Date.parse("2026-01-20T10:00:00Z"); // a Tuesday
const stages: Stage[] = [
  {
    id: "s1",
    type: "email",
    delayMinutes: 0,
    subject: "Hi",
    body: "Hello",
    emailPriority: "personal_first",
    sameThread: false,
  },
  { id: "s2", type: "call", delayMinutes: 60, title: "Call them" },
  {
    id: "s3",
    type: "email",
    delayMinutes: 1440,
    subject: "Re",
    body: "Again",
    emailPriority: "personal_first",
    sameThread: true,
  },
];

const REASON_OF: Record<ProspectStatus, Reason | null> = {
  active: null,
  pending: "throttled",
  paused: "paused_by_user",
  replied: "replied_email",
  complete: "marked_finished",
  bounced: "hard_bounce",
  spam: "complaint",
  not_delivered: "canceled",
  failed: "null_email",
  unsubscribed: "unsubscribed",
};

function prospect(status: ProspectStatus, over: Partial<ProspectState> = {}): ProspectState {
  return {
    status,
    reason: REASON_OF[status],
    stageIndex: 1,
    nextAt: status === "active" ? T0 + 60 * MIN : null,
    stageEnteredAt: T0,
    attempt: 0,
    ...over,
  };
}

function ok(d: ReturnType<typeof decideAction>) {
  if (!d.ok) throw new Error(`refused: ${d.reason}`);
  return d;
}

// Written out independently of ACTIONS so that a slip in the table shows up here.
const ALLOWED: Record<ProspectActionName, ProspectStatus[]> = {
  pause: ["active", "pending"],
  unpause: ["paused", "replied"],
  finish: ["active", "pending", "paused", "replied", "bounced", "spam", "not_delivered", "failed"],
  skip: ["active", "pending", "failed", "not_delivered"],
  complete_task: ["active"],
  retry: ["failed", "not_delivered", "pending", "bounced", "spam"],
  mark_replied: ["active", "pending", "paused"],
  remove: [...STATUSES],
  add_to: [...STATUSES],
  move: [...STATUSES],
};

describe("the action table", () => {
  it("allows each action exactly from the statuses of DESIGN.md §1", () => {
    for (const action of PROSPECT_ACTIONS) {
      for (const status of STATUSES) {
        const d = decideAction(prospect(status), action, stages, T0 + 10 * MIN);
        expect([action, status, d.ok]).toEqual([action, status, ALLOWED[action].includes(status)]);
      }
    }
  });

  it("lists the quick actions of a status", () => {
    expect(allowedActions("complete")).toEqual(["remove", "add_to", "move"]);
    expect(allowedActions("paused")).toEqual([
      "unpause",
      "finish",
      "mark_replied",
      "remove",
      "add_to",
      "move",
    ]);
  });

  it("refuses in plain words naming the status", () => {
    const reason = (s: ProspectStatus, a: ProspectActionName) => {
      const d = decideAction(prospect(s), a, stages, T0);
      return d.ok ? "allowed" : d.reason;
    };
    expect(reason("complete", "pause")).toBe("Cannot pause a Complete prospect");
    expect(reason("active", "unpause")).toBe("Cannot unpause an Active prospect");
    expect(reason("unsubscribed", "finish")).toBe("Cannot mark an Unsubscribed prospect finished");
    expect(reason("replied", "skip")).toBe("Cannot skip the stage of a Replied prospect");
    expect(reason("active", "retry")).toBe("Cannot retry an Active prospect");
    expect(reason("bounced", "mark_replied")).toBe("Cannot mark a Bounced prospect replied");
  });
});

describe("pause and unpause", () => {
  it("pauses an Active prospect, stops its schedule and cancels its Waiting message", () => {
    const d = ok(decideAction(prospect("active"), "pause", stages, T0 + MIN));
    expect(d.next).toMatchObject({
      status: "paused",
      reason: "paused_by_user",
      nextAt: null,
      stageIndex: 1,
    });
    expect(d.cancelWaiting).toBe(true);
    expect(d.history).toMatchObject({
      event: "pause",
      fromStatus: "active",
      toStatus: "paused",
      stageId: "s2",
    });
  });

  it("pauses a Pending prospect", () => {
    expect(ok(decideAction(prospect("pending"), "pause", stages, T0)).next.status).toBe("paused");
  });

  it("unpauses to the time the stage's delay runs out when it has not yet", () => {
    const d = ok(decideAction(prospect("paused"), "unpause", stages, T0 + 10 * MIN));
    expect(d.next).toMatchObject({ status: "active", reason: null, nextAt: T0 + 60 * MIN });
  });

  it("unpauses to now when the delay has run out", () => {
    const now = T0 + 5 * 60 * MIN;
    expect(ok(decideAction(prospect("paused"), "unpause", stages, now)).next.nextAt).toBe(now);
  });

  it("unpauses a Replied prospect", () => {
    const d = ok(decideAction(prospect("replied"), "unpause", stages, T0 + 2 * 60 * MIN));
    expect(d.next).toMatchObject({ status: "active", reason: null, stageIndex: 1 });
  });

  it("unpausing outside the sending window waits for the window", () => {
    const timing = {
      businessDaysOnly: false,
      window: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" },
      timeZone: "UTC",
    };
    const evening = Date.parse("2026-01-20T20:00:00Z");
    const d = ok(decideAction(prospect("paused"), "unpause", stages, evening, timing));
    expect(d.next.nextAt).toBe(Date.parse("2026-01-21T09:00:00Z"));
  });

  it("unpausing after every stage was done completes the prospect", () => {
    const d = ok(decideAction(prospect("paused", { stageIndex: 3 }), "unpause", stages, T0));
    expect(d.next).toMatchObject({ status: "complete", reason: "completed", stageIndex: 3 });
  });
});

describe("finish", () => {
  it("marks finished and keeps the progress", () => {
    const d = ok(decideAction(prospect("failed"), "finish", stages, T0));
    expect(d.next).toMatchObject({
      status: "complete",
      reason: "marked_finished",
      stageIndex: 1,
      nextAt: null,
    });
    expect(d.cancelWaiting).toBe(false);
  });
});

describe("skip", () => {
  it("moves to the next stage, due after its delay from now", () => {
    const now = T0 + 30 * MIN;
    const d = ok(decideAction(prospect("active"), "skip", stages, now));
    expect(d.next).toMatchObject({
      status: "active",
      reason: null,
      stageIndex: 2,
      stageEnteredAt: now,
      attempt: 0,
      nextAt: now + 1440 * MIN,
    });
    expect(d.cancelWaiting).toBe(true);
    expect(d.history).toMatchObject({
      event: "skip",
      stageId: "s2",
      fromStageIndex: 1,
      toStageIndex: 2,
    });
  });

  it("moves a Failed prospect on to the next stage as Active", () => {
    const d = ok(decideAction(prospect("failed", { attempt: 3 }), "skip", stages, T0));
    expect(d.next).toMatchObject({ status: "active", reason: null, stageIndex: 2, attempt: 0 });
  });

  it("completes a prospect that skips the last stage", () => {
    const d = ok(decideAction(prospect("not_delivered", { stageIndex: 2 }), "skip", stages, T0));
    expect(d.next).toMatchObject({
      status: "complete",
      reason: "completed",
      stageIndex: 3,
      nextAt: null,
    });
  });
});

describe("complete_task", () => {
  it("completes a call stage and schedules the next", () => {
    const now = T0 + 90 * MIN;
    const d = ok(decideAction(prospect("active"), "complete_task", stages, now));
    expect(d.next).toMatchObject({ status: "active", stageIndex: 2, nextAt: now + 1440 * MIN });
  });

  it("refuses at an email stage", () => {
    const d = decideAction(prospect("active", { stageIndex: 0 }), "complete_task", stages, T0);
    expect(d).toEqual({
      ok: false,
      reason: "Cannot complete a task: stage 1 is an email, not a call or task",
    });
  });

  it("completes the campaign when the task was the last stage", () => {
    const onlyTask: Stage[] = [
      { id: "t", type: "task", delayMinutes: 0, title: "Connect on LinkedIn" },
    ];
    const d = ok(
      decideAction(prospect("active", { stageIndex: 0 }), "complete_task", onlyTask, T0),
    );
    expect(d.next).toMatchObject({ status: "complete", reason: "completed", stageIndex: 1 });
  });
});

describe("retry", () => {
  it("makes the prospect Active with the same stage due now and counts the attempt", () => {
    const now = T0 + 3 * MIN;
    const d = ok(decideAction(prospect("failed", { attempt: 1 }), "retry", stages, now));
    expect(d.next).toMatchObject({
      status: "active",
      reason: null,
      stageIndex: 1,
      nextAt: now,
      attempt: 2,
      stageEnteredAt: T0,
    });
    expect(d.cancelWaiting).toBe(false);
  });

  it("retries Bounced, Spam, Pending and Not Delivered prospects", () => {
    for (const s of ["bounced", "spam", "pending", "not_delivered"] as const) {
      expect(ok(decideAction(prospect(s), "retry", stages, T0)).next.status).toBe("active");
    }
  });
});

describe("mark_replied, remove, add_to and move", () => {
  it("marks a Paused prospect replied", () => {
    expect(ok(decideAction(prospect("paused"), "mark_replied", stages, T0)).next).toMatchObject({
      status: "replied",
      reason: "marked_replied",
      nextAt: null,
    });
  });

  it("leaves the state to the Durable Object for remove, add_to and move", () => {
    for (const action of ["remove", "add_to", "move"] as const) {
      const p = prospect("active");
      const d = ok(decideAction(p, action, stages, T0));
      expect(d.next).toEqual(p);
      expect(d.cancelWaiting).toBe(action !== "add_to");
    }
  });
});

describe("decideBulk", () => {
  it("applies where allowed and refuses the rest with the reason", () => {
    const r = decideBulk(
      [
        { personId: "a", state: prospect("active") },
        { personId: "b", state: prospect("complete") },
        { personId: "c", state: prospect("pending") },
      ],
      "pause",
      stages,
      T0,
    );
    expect(r.applied.map((x) => x.personId)).toEqual(["a", "c"]);
    expect(r.refused).toEqual([{ personId: "b", reason: "Cannot pause a Complete prospect" }]);
  });
});

describe("afterSend", () => {
  it("schedules the next stage after its delay from the send", () => {
    const sentAt = T0 + 61 * MIN;
    const d = afterSend(prospect("active", { stageIndex: 0, attempt: 1 }), stages, sentAt);
    expect(d).toMatchObject({ ok: true, cancelWaiting: false });
    if (!d.ok) return;
    expect(d.next).toMatchObject({
      status: "active",
      stageIndex: 1,
      stageEnteredAt: sentAt,
      nextAt: sentAt + 60 * MIN,
      attempt: 0,
    });
    expect(d.history).toMatchObject({ event: "sent", stageId: "s1" });
  });

  it("completes after the last stage", () => {
    const d = afterSend(prospect("active", { stageIndex: 2 }), stages, T0);
    expect(d.ok && d.next).toMatchObject({
      status: "complete",
      reason: "completed",
      stageIndex: 3,
      nextAt: null,
    });
  });

  it("keeps a pause that arrived during the send; unpausing later waits out the next delay", () => {
    const sentAt = T0 + MIN;
    const d = afterSend(prospect("paused", { stageIndex: 0 }), stages, sentAt);
    if (!d.ok) throw new Error(d.reason);
    expect(d.next).toMatchObject({
      status: "paused",
      reason: "paused_by_user",
      stageIndex: 1,
      nextAt: null,
    });
    const u = ok(decideAction(d.next, "unpause", stages, sentAt + 5 * MIN));
    expect(u.next.nextAt).toBe(sentAt + 60 * MIN);
  });

  it("refuses when every stage is done", () => {
    expect(afterSend(prospect("active", { stageIndex: 3 }), stages, T0).ok).toBe(false);
  });

  it("fits the next stage into the sending window", () => {
    const timing = { businessDaysOnly: true, window: null, timeZone: "UTC" };
    const friday = Date.parse("2026-01-16T10:00:00Z");
    const d = afterSend(prospect("active", { stageIndex: 1 }), stages, friday, timing);
    expect(d.ok && d.next.nextAt).toBe(Date.parse("2026-01-19T10:00:00Z"));
  });
});

describe("afterFailure", () => {
  it("fails a prospect without a usable address and cancels its Waiting message", () => {
    const d = afterFailure(prospect("active"), "null_email");
    expect(d).toMatchObject({
      ok: true,
      cancelWaiting: true,
      next: { status: "failed", reason: "null_email", nextAt: null },
    });
  });

  it("holds a throttled prospect until the allowance opens", () => {
    const resumeAt = Date.parse("2026-01-21T00:00:00Z");
    const d = afterFailure(prospect("active"), "throttled", { resumeAt });
    expect(d.ok && d.next).toMatchObject({
      status: "pending",
      reason: "throttled",
      nextAt: resumeAt,
    });
    expect(() => afterFailure(prospect("active"), "throttled")).toThrow(/resumeAt/);
  });

  it("lets a pause that arrived during the send win over a pipeline failure", () => {
    expect(afterFailure(prospect("paused"), "email_limit")).toEqual({
      ok: false,
      reason: "Paused prospect does not become Failed (email_limit)",
    });
  });

  it("records a bounce even after the prospect completed", () => {
    const d = afterFailure(prospect("complete"), "hard_bounce", {
      detail: "550 5.1.1 no such user",
    });
    expect(d.ok && d.next.status).toBe("bounced");
    expect(d.ok && d.history.detail).toBe("550 5.1.1 no such user");
  });

  it("only cancels a Waiting message of an Active prospect", () => {
    expect(afterFailure(prospect("active"), "canceled").ok).toBe(true);
    expect(afterFailure(prospect("paused"), "canceled").ok).toBe(false);
  });

  it("never moves an Unsubscribed prospect, and unsubscribes every other", () => {
    for (const s of STATUSES) {
      expect([s, afterFailure(prospect(s), "replied_email").ok]).toEqual([
        s,
        s !== "unsubscribed" && s !== "replied",
      ]);
      expect([s, afterFailure(prospect(s), "unsubscribed").ok]).toEqual([s, s !== "unsubscribed"]);
    }
  });
});

describe("autoResume", () => {
  it("resumes a throttled prospect once the allowance opened", () => {
    const p = prospect("pending", { nextAt: T0 + 100 * MIN, stageIndex: 0 });
    expect(autoResume(p, stages, T0 + 99 * MIN).ok).toBe(false);
    const d = autoResume(p, stages, T0 + 100 * MIN);
    expect(d.ok && d.next).toMatchObject({
      status: "active",
      reason: null,
      nextAt: T0 + 100 * MIN,
    });
  });

  it("resumes an out-of-office prospect on the return date", () => {
    const p = prospect("paused", { reason: "out_of_office", nextAt: T0 + 3 * 1440 * MIN });
    const d = autoResume(p, stages, T0 + 3 * 1440 * MIN);
    expect(d.ok && d.next.status).toBe("active");
  });

  it("does not resume a prospect paused by a user", () => {
    expect(autoResume(prospect("paused", { nextAt: T0 }), stages, T0 + MIN)).toEqual({
      ok: false,
      reason: "Paused prospect does not resume by itself",
    });
  });
});

describe("enrolledState and movedState", () => {
  it("enrolls Active at the first stage, due after its delay", () => {
    const delayed: Stage[] = [{ ...stages[1], delayMinutes: 30 }];
    expect(enrolledState(delayed, T0)).toEqual({
      status: "active",
      reason: null,
      stageIndex: 0,
      nextAt: T0 + 30 * MIN,
      stageEnteredAt: T0,
      attempt: 0,
    });
  });

  it("moves a prospect to the first stage as Active, whatever stage it was at", () => {
    expect(movedState(prospect("failed", { stageIndex: 2, attempt: 3 }), stages, T0)).toMatchObject(
      { status: "active", reason: null, stageIndex: 0, nextAt: T0, attempt: 0 },
    );
  });

  it("keeps Complete and Unsubscribed prospects as they are, unscheduled", () => {
    expect(movedState(prospect("complete"), stages, T0)).toMatchObject({
      status: "complete",
      reason: "marked_finished",
      stageIndex: 3,
      nextAt: null,
    });
    expect(movedState(prospect("unsubscribed"), stages, T0)).toMatchObject({
      status: "unsubscribed",
      reason: "unsubscribed",
      nextAt: null,
    });
  });
});
