import { describe, expect, it } from "vitest";
import type { Stage } from "./schemas";
import { planStageEdit, stagesAtOrBefore } from "./stage-edits";

const email = (id: string): Stage => ({
  id,
  type: "email",
  delayMinutes: 0,
  subject: "Hi",
  body: "Hello",
  emailPriority: "personal_first",
  sameThread: false,
});
const task = (id: string): Stage => ({ id, type: "task", delayMinutes: 0, title: "Call" });
let n = 0;
const newId = () => `new${++n}`;

describe("planStageEdit", () => {
  it("keeps every id when a stage is inserted in front, and gives the new one a new id", () => {
    const { stages, removed } = planStageEdit(
      [email("a"), email("b")],
      [{ ...email("x"), id: undefined }, email("a"), email("b")],
      newId,
    );
    expect(stages.map((s) => s.id).slice(1)).toEqual(["a", "b"]);
    expect(stages[0].id).toMatch(/^new/);
    expect(removed).toEqual([]);
  });

  it("keeps ids through a reorder", () => {
    const { stages, removed } = planStageEdit(
      [email("a"), email("b"), email("c")],
      [email("c"), email("a"), email("b")],
      newId,
    );
    expect(stages.map((s) => s.id)).toEqual(["c", "a", "b"]);
    expect(removed).toEqual([]);
  });

  it("lists a deleted stage with its old place and where its people point now", () => {
    const plan = planStageEdit(
      [email("a"), email("b"), email("c")],
      [email("a"), email("c")],
      newId,
    );
    expect(plan.removed).toEqual([{ id: "b", index: 1 }]);
    expect(plan.repoint.get("b")).toBe("c");
  });

  it("points people at a deleted last stage past the end", () => {
    const plan = planStageEdit([email("a"), email("b")], [email("a")], newId);
    expect(plan.repoint.get("b")).toBeNull();
  });

  it("makes a stage whose type changed a new stage, and the old one removed", () => {
    const plan = planStageEdit([email("a"), email("b")], [email("a"), task("b")], newId);
    expect(plan.stages[1].id).not.toBe("b");
    expect(plan.stages[1].type).toBe("task");
    expect(plan.removed).toEqual([{ id: "b", index: 1 }]);
  });
});

describe("stagesAtOrBefore", () => {
  it("is the stages up to and including the one at the index", () => {
    expect(stagesAtOrBefore([email("a"), email("b"), email("c")], 1)).toEqual(["a", "b"]);
  });
});
