import { describe, expect, it } from "vitest";
import {
  CampaignInputSchema,
  CampaignPatchSchema,
  EnrollSchema,
  ProspectActionSchema,
  SendingWindowSchema,
  StageInputSchema,
  TeamLimitsSchema,
  withStageIds,
} from "./schemas";

const email = { type: "email", delayMinutes: 0, subject: "Hi", body: "Hello {{firstName}}" };

function paths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  return (result.error?.issues ?? []).map((i) => i.path.map(String).join("."));
}

describe("StageInputSchema", () => {
  it("fills email defaults: personal_first, not same thread", () => {
    const s = StageInputSchema.parse(email);
    expect(s).toMatchObject({ type: "email", emailPriority: "personal_first", sameThread: false });
  });

  it("accepts sms, call and task stages with their own fields", () => {
    expect(StageInputSchema.parse({ type: "sms", delayMinutes: 60, body: "Hi" }).type).toBe("sms");
    expect(StageInputSchema.parse({ type: "call", delayMinutes: 0, title: "Call" }).type).toBe(
      "call",
    );
    expect(StageInputSchema.parse({ type: "task", delayMinutes: 5, title: "LinkedIn" }).type).toBe(
      "task",
    );
  });

  it("refuses a fractional, negative or over-a-year delay", () => {
    for (const delayMinutes of [1.5, -1, 525_601]) {
      const r = StageInputSchema.safeParse({ ...email, delayMinutes });
      expect(paths(r)).toEqual(["delayMinutes"]);
    }
    expect(StageInputSchema.safeParse({ ...email, delayMinutes: 525_600 }).success).toBe(true);
  });

  it("refuses an unknown type and an email without a subject", () => {
    expect(StageInputSchema.safeParse({ ...email, type: "fax" }).success).toBe(false);
    expect(paths(StageInputSchema.safeParse({ ...email, subject: "  " }))).toEqual(["subject"]);
  });

  it("refuses an unknown merge field in the subject or body, naming the known ones", () => {
    const r = StageInputSchema.safeParse({ ...email, subject: "Hi {{ fristName }}" });
    expect(paths(r)).toEqual(["subject"]);
    expect(r.error?.issues[0].message).toBe(
      "Unknown merge field {{fristName}}; use {{firstName}}, {{lastName}}, {{jobTitle}}, {{senderName}}",
    );
    expect(
      paths(StageInputSchema.safeParse({ type: "sms", delayMinutes: 0, body: "{{x}}" })),
    ).toEqual(["body"]);
  });

  it("refuses an unknown email priority", () => {
    expect(paths(StageInputSchema.safeParse({ ...email, emailPriority: "any" }))).toEqual([
      "emailPriority",
    ]);
  });
});

describe("withStageIds", () => {
  it("keeps given ids and makes new ones for the rest", () => {
    let n = 0;
    const stages = CampaignInputSchema.parse({
      name: "C",
      stages: [{ ...email, id: "keep" }, email],
    }).stages;
    expect(withStageIds(stages, () => `new${++n}`).map((s) => s.id)).toEqual(["keep", "new1"]);
  });
});

describe("SendingWindowSchema", () => {
  it("accepts weekdays 09:00–17:00 and an end of 24:00", () => {
    expect(
      SendingWindowSchema.safeParse({ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" })
        .success,
    ).toBe(true);
    expect(SendingWindowSchema.safeParse({ days: [7], start: "00:00", end: "24:00" }).success).toBe(
      true,
    );
  });

  it("refuses no days, repeated days and days outside 1..7", () => {
    expect(
      paths(SendingWindowSchema.safeParse({ days: [], start: "09:00", end: "17:00" })),
    ).toEqual(["days"]);
    expect(
      paths(SendingWindowSchema.safeParse({ days: [1, 1], start: "09:00", end: "17:00" })),
    ).toEqual(["days"]);
    expect(
      paths(SendingWindowSchema.safeParse({ days: [0, 8], start: "09:00", end: "17:00" })),
    ).toEqual(["days.0", "days.1"]);
  });

  it("refuses a window that ends before it starts and malformed times", () => {
    expect(
      paths(SendingWindowSchema.safeParse({ days: [1], start: "17:00", end: "09:00" })),
    ).toEqual(["end"]);
    expect(
      paths(SendingWindowSchema.safeParse({ days: [1], start: "9:00", end: "25:00" })),
    ).toEqual(["start", "end"]);
  });
});

describe("CampaignInputSchema", () => {
  it("defaults to an active, tracked campaign with an unsubscribe link and no window", () => {
    const c = CampaignInputSchema.parse({ name: "Backend hires", stages: [email] });
    expect(c).toMatchObject({
      status: "active",
      shared: false,
      businessDaysOnly: false,
      sendingWindow: null,
      trackOpens: true,
      trackClicks: true,
      unsubscribeLink: true,
    });
  });

  it("refuses no stages, more than 50 stages and duplicate stage ids", () => {
    expect(paths(CampaignInputSchema.safeParse({ name: "C", stages: [] }))).toEqual(["stages"]);
    const many = Array.from({ length: 51 }, () => email);
    expect(paths(CampaignInputSchema.safeParse({ name: "C", stages: many }))).toEqual(["stages"]);
    const dup = [
      { ...email, id: "a" },
      { ...email, id: "a" },
    ];
    expect(paths(CampaignInputSchema.safeParse({ name: "C", stages: dup }))).toEqual(["stages"]);
  });

  it("refuses a new campaign created disabled", () => {
    expect(
      paths(CampaignInputSchema.safeParse({ name: "C", status: "disabled", stages: [email] })),
    ).toEqual(["status"]);
  });
});

describe("CampaignPatchSchema", () => {
  it("needs the version and applies no defaults to fields left out", () => {
    expect(paths(CampaignPatchSchema.safeParse({ name: "X" }))).toEqual(["version"]);
    expect(CampaignPatchSchema.parse({ version: 3 })).toEqual({ version: 3 });
  });

  it("can clear the sending window and the job", () => {
    expect(CampaignPatchSchema.parse({ version: 1, sendingWindow: null, jobId: null })).toEqual({
      version: 1,
      sendingWindow: null,
      jobId: null,
    });
  });
});

describe("ProspectActionSchema", () => {
  it("accepts a list of ids or all with filters", () => {
    expect(ProspectActionSchema.safeParse({ action: "pause", personIds: ["p1"] }).success).toBe(
      true,
    );
    const all = ProspectActionSchema.parse({
      action: "retry",
      all: true,
      filters: { status: "failed", stage: "1" },
    });
    expect(all.filters).toEqual({ status: "failed", stage: 1 });
  });

  it("refuses both ids and all, or neither", () => {
    expect(paths(ProspectActionSchema.safeParse({ action: "pause" }))).toEqual(["personIds"]);
    expect(
      paths(ProspectActionSchema.safeParse({ action: "pause", personIds: ["a"], all: true })),
    ).toEqual(["personIds"]);
  });

  it("refuses filters without all", () => {
    expect(
      paths(ProspectActionSchema.safeParse({ action: "pause", personIds: ["a"], filters: {} })),
    ).toEqual(["filters"]);
  });

  it("needs toCampaignId for add_to and move, and a moveId for move", () => {
    expect(paths(ProspectActionSchema.safeParse({ action: "add_to", personIds: ["a"] }))).toEqual([
      "toCampaignId",
    ]);
    expect(paths(ProspectActionSchema.safeParse({ action: "move", personIds: ["a"] }))).toEqual([
      "toCampaignId",
      "moveId",
    ]);
    expect(
      ProspectActionSchema.safeParse({
        action: "move",
        personIds: ["a"],
        toCampaignId: "c",
        moveId: "m",
      }).success,
    ).toBe(true);
  });

  it("refuses an unknown action and an unknown status filter", () => {
    expect(paths(ProspectActionSchema.safeParse({ action: "explode", all: true }))).toEqual([
      "action",
    ]);
    expect(
      paths(
        ProspectActionSchema.safeParse({
          action: "pause",
          all: true,
          filters: { status: "Active" },
        }),
      ),
    ).toEqual(["filters.status"]);
  });
});

describe("EnrollSchema", () => {
  it("accepts 10,000 ids, refuses 10,001 and none, and drops repeats", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
    expect(EnrollSchema.safeParse({ personIds: ids }).success).toBe(true);
    expect(paths(EnrollSchema.safeParse({ personIds: [...ids, "x"] }))).toEqual(["personIds"]);
    expect(paths(EnrollSchema.safeParse({ personIds: [] }))).toEqual(["personIds"]);
    expect(EnrollSchema.parse({ personIds: ["a", "b", "a"] }).personIds).toEqual(["a", "b"]);
  });
});

describe("TeamLimitsSchema", () => {
  it("accepts a limit, a policy and a real time zone", () => {
    expect(
      TeamLimitsSchema.safeParse({
        dailyEmailLimit: 5000,
        onLimit: "defer",
        timeZone: "Europe/London",
      }).success,
    ).toBe(true);
  });

  it("names each bad field", () => {
    const r = TeamLimitsSchema.safeParse({
      dailyEmailLimit: -1,
      onLimit: "queue",
      timeZone: "Mars/Base",
    });
    expect(paths(r)).toEqual(["dailyEmailLimit", "onLimit", "timeZone"]);
  });
});
