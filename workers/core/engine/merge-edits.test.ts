import { describe, expect, it } from "vitest";
import { diffEdits, type EditDoc, mergeEdits } from "./merge-edits";
import type { StageInput } from "./schemas";

const email = (id: string | undefined, subject: string, extra: Partial<StageInput> = {}) =>
  ({
    ...(id ? { id } : {}),
    type: "email",
    delayMinutes: 0,
    mailboxId: "mb1",
    subject,
    body: "Hello",
    emailPriority: "personal_first",
    sameThread: false,
    ...extra,
  }) as StageInput;
const call = (id: string | undefined, title: string) =>
  ({ ...(id ? { id } : {}), type: "call", delayMinutes: 1440, title }) as StageInput;

const doc = (stages: StageInput[], over: Partial<EditDoc> = {}): EditDoc => ({
  name: "Backend Q3",
  shared: false,
  jobId: null,
  jobStage: null,
  businessDaysOnly: false,
  sendingWindow: null,
  trackOpens: true,
  trackClicks: true,
  unsubscribeLink: true,
  stopCompanyOnReply: false,
  stages,
  ...over,
});

const base = doc([email("a", "Hi"), call("b", "Intro"), email("c", "Follow up")]);
const ids = (d: EditDoc) => d.stages.map((s) => s.id ?? `new:${"subject" in s ? s.subject : ""}`);

describe("mergeEdits", () => {
  it("takes their change to one field and my change to another", () => {
    const theirs = doc([email("a", "Hi"), call("b", "Intro"), email("c", "Follow up")], {
      name: "Backend Q4",
    });
    const mine = doc([email("a", "Hello there"), call("b", "Intro"), email("c", "Follow up")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.merged.name).toBe("Backend Q4");
    expect(r.merged.stages[0]).toMatchObject({ id: "a", subject: "Hello there" });
  });

  it("merges two different fields of the same stage", () => {
    const theirs = doc([
      email("a", "Hi", { body: "New body" }),
      call("b", "Intro"),
      email("c", "Follow up"),
    ]);
    const mine = doc([email("a", "Hey"), call("b", "Intro"), email("c", "Follow up")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok && r.merged.stages[0]).toMatchObject({ subject: "Hey", body: "New body" });
  });

  it("reports a conflict when both changed the same field differently, naming the stage", () => {
    const theirs = doc([email("a", "Hi"), call("b", "Intro"), email("c", "Theirs")]);
    const mine = doc([email("a", "Hi"), call("b", "Intro"), email("c", "Mine")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.conflicts).toEqual([
      {
        key: "stage:c:subject",
        label: "Subject of stage 3",
        base: "Follow up",
        theirs: "Theirs",
        mine: "Mine",
      },
    ]);
  });

  it("is no conflict when both made the same change", () => {
    const theirs = doc(base.stages, { trackOpens: false });
    const mine = doc(base.stages, { trackOpens: false });
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok && r.merged.trackOpens).toBe(false);
  });

  it("compares a sending window by value, not by key order", () => {
    const w = { days: [1, 2], start: "09:00", end: "17:00" };
    const b = doc(base.stages, { sendingWindow: w });
    const theirs = doc(base.stages, {
      sendingWindow: { end: "17:00", start: "09:00", days: [1, 2] },
    });
    const mine = doc(base.stages, { sendingWindow: { ...w, end: "18:00" } });
    const r = mergeEdits(b, theirs, mine);
    expect(r.ok && r.merged.sendingWindow).toEqual({ ...w, end: "18:00" });
  });

  it("keeps their added stage and my added stage, each after its neighbour", () => {
    const theirs = doc([
      email("a", "Hi"),
      email("t", "Theirs new"),
      call("b", "Intro"),
      email("c", "Follow up"),
    ]);
    const mine = doc([
      email("a", "Hi"),
      call("b", "Intro"),
      email(undefined, "Mine new"),
      email("c", "Follow up"),
    ]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(ids(r.merged)).toEqual(["a", "t", "b", "new:Mine new", "c"]);
  });

  it("deletes a stage one side deleted when the other left it alone", () => {
    const theirs = doc([email("a", "Hi"), email("c", "Follow up")]);
    const mine = doc([email("a", "Hi changed"), call("b", "Intro"), email("c", "Follow up")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok && ids(r.merged)).toEqual(["a", "c"]);
    expect(r.ok && r.merged.stages[0]).toMatchObject({ subject: "Hi changed" });
  });

  it("is a conflict when I delete a stage they edited", () => {
    const theirs = doc([email("a", "Hi"), call("b", "Intro call v2"), email("c", "Follow up")]);
    const mine = doc([email("a", "Hi"), email("c", "Follow up")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.conflicts.map((c) => c.label)).toEqual([
      "stage 2: you deleted it, they edited it",
    ]);
  });

  it("takes my reorder when they did not reorder", () => {
    const theirs = doc([email("a", "Hi"), call("b", "Intro"), email("c", "Follow up v2")]);
    const mine = doc([email("c", "Follow up"), email("a", "Hi"), call("b", "Intro")]);
    const r = mergeEdits(base, theirs, mine);
    expect(r.ok && ids(r.merged)).toEqual(["c", "a", "b"]);
    expect(r.ok && r.merged.stages[0]).toMatchObject({ subject: "Follow up v2" });
  });

  it("is a conflict when both reordered differently", () => {
    const theirs = doc([call("b", "Intro"), email("a", "Hi"), email("c", "Follow up")]);
    const mine = doc([email("c", "Follow up"), email("a", "Hi"), call("b", "Intro")]);
    const r = mergeEdits(base, theirs, mine);
    expect(!r.ok && r.conflicts.map((c) => c.key)).toEqual(["order"]);
  });
});

describe("diffEdits", () => {
  it("lists what changed field by field, with stage numbers, additions and deletions", () => {
    const theirs = doc(
      [email("a", "Hi there"), email("c", "Follow up"), call(undefined, "New call")],
      {
        name: "Renamed",
      },
    );
    expect(diffEdits(base, theirs).map((c) => [c.label, c.base, c.theirs])).toEqual([
      ["Name", "Backend Q3", "Renamed"],
      ["Subject of stage 1", "Hi", "Hi there"],
      ["Added stage 3", undefined, call(undefined, "New call")],
      ["Deleted stage 2", call("b", "Intro"), undefined],
    ]);
  });

  it("is empty for the same campaign", () => {
    expect(diffEdits(base, doc(base.stages.map((s) => ({ ...s }))))).toEqual([]);
  });
});
