import { describe, expect, it } from "vitest";
import {
  applyProspectDiff,
  bulkSummary,
  enrollSummary,
  type LiveRow,
  messageReasonText,
  splitPastedIds,
  stageText,
} from "./prospect-list";

const row = (personId: string, over: Partial<LiveRow> = {}): LiveRow => ({
  personId,
  name: personId.toUpperCase(),
  status: "active",
  stageIndex: 0,
  stageId: "s1",
  updatedAt: null,
  ...over,
});

describe("live prospect rows", () => {
  it("updates shown rows in place and keeps their order", () => {
    const rows = [row("a"), row("b"), row("c")];
    const out = applyProspectDiff(
      rows,
      { rows: [row("b", { status: "paused", reason: "paused_by_user" })], removed: [] },
      { filter: {}, pageFull: false },
    );
    expect(out.map((r) => [r.personId, r.status])).toEqual([
      ["a", "active"],
      ["b", "paused"],
      ["c", "active"],
    ]);
  });

  it("forgets the old reason and next time of a row that no longer has them", () => {
    const paused = row("a", {
      status: "paused",
      reason: "paused_by_user",
      reasonLabel: "Paused by a user",
      nextAt: "2026-01-01T00:00:00.000Z",
    });
    const [out] = applyProspectDiff(
      [paused],
      { rows: [row("a")], removed: [] },
      {
        filter: {},
        pageFull: true,
      },
    );
    expect(out).toEqual(row("a"));
  });

  it("drops removed rows", () => {
    const out = applyProspectDiff(
      [row("a"), row("b")],
      { rows: [], removed: ["a"] },
      {
        filter: {},
        pageFull: true,
      },
    );
    expect(out.map((r) => r.personId)).toEqual(["b"]);
  });

  it("adds a new row that fits the filter only while the page has room", () => {
    const diff = { rows: [row("n", { status: "failed" }), row("m")], removed: [] };
    const open = applyProspectDiff([row("a", { status: "failed" })], diff, {
      filter: { status: "failed" },
      pageFull: false,
    });
    expect(open.map((r) => r.personId)).toEqual(["a", "n"]);
    const full = applyProspectDiff([row("a", { status: "failed" })], diff, {
      filter: { status: "failed" },
      pageFull: true,
    });
    expect(full.map((r) => r.personId)).toEqual(["a"]);
  });

  it("filters new rows by stage too", () => {
    const out = applyProspectDiff(
      [],
      { rows: [row("x", { stageIndex: 1 }), row("y", { stageIndex: 0 })], removed: [] },
      { filter: { stage: 1 }, pageFull: false },
    );
    expect(out.map((r) => r.personId)).toEqual(["x"]);
  });
});

describe("summaries", () => {
  it("says how many were applied and why the others were refused, with names", () => {
    const names = new Map([
      ["p1", "Ann Lee"],
      ["p2", "Bo Chen"],
    ]);
    expect(bulkSummary({ applied: 3, refused: [] }, names)).toBe("3 applied");
    expect(
      bulkSummary(
        {
          applied: 1,
          refused: [
            { personId: "p1", reason: "Cannot pause a Complete prospect" },
            { personId: "p2", reason: "Cannot pause a Complete prospect" },
            { personId: "zz", reason: "not_found" },
          ],
        },
        names,
      ),
    ).toBe(
      "1 applied, 3 refused: Cannot pause a Complete prospect (Ann Lee, Bo Chen); not in this campaign (zz)",
    );
  });

  it("says when an applied action waits for a stage that is already sending", () => {
    const note = "The current stage is already sending: this takes effect from the next stage";
    expect(
      bulkSummary({ applied: 2, refused: [], notes: [{ personId: "p1", note }] }, new Map()),
    ).toBe(
      "2 applied. For 1 of them: the current stage is already sending: this takes effect from the next stage",
    );
  });

  it("shortens long name lists", () => {
    const refused = ["a", "b", "c", "d", "e"].map((id) => ({ personId: id, reason: "r" }));
    expect(bulkSummary({ applied: 0, refused }, new Map())).toBe(
      "0 applied, 5 refused: r (a, b, c and 2 more)",
    );
  });

  it("reports enrollment, refusals and conflicts in words", () => {
    expect(
      enrollSummary(
        {
          enrolled: 1,
          enrolledIds: ["z"],
          refused: [{ personId: "x", reason: "already_enrolled" }],
          conflicts: [{ personId: "y" }, { personId: "y" }],
        },
        new Map([["x", "Ann Lee"]]),
      ),
    ).toBe(
      "Enrolled 1 person. 1 refused: already in this campaign (Ann Lee). 1 not enrolled: in another campaign of the team or emailed by it lately (enroll anyway to add them).",
    );
    expect(
      enrollSummary(
        { enrolled: 1, enrolledIds: ["y"], refused: [], conflicts: [{ personId: "y" }] },
        new Map(),
      ),
    ).toBe("Enrolled 1 person. 1 enrolled despite another campaign or a recent email.");
    expect(
      enrollSummary(
        {
          enrolled: 0,
          enrolledIds: [],
          refused: [{ personId: "q", reason: "not_found" }],
          conflicts: [],
        },
        new Map(),
      ),
    ).toBe("Enrolled 0 people. 1 refused: not one of your team's people (q).");
  });
});

describe("small words", () => {
  it("shows the stage as n of total, and done past the last", () => {
    expect(stageText(1, 3)).toBe("2 of 3");
    expect(stageText(3, 3)).toBe("all 3 done");
  });

  it("splits pasted ids on lines, commas and spaces, once each", () => {
    expect(splitPastedIds(" a,b\nc ;a\t d ")).toEqual(["a", "b", "c", "d"]);
    expect(splitPastedIds("  ")).toEqual([]);
  });

  it("labels a message's reason code, with the provider's words after it", () => {
    expect(messageReasonText("canceled")).toBe("The scheduled email was canceled; Skip or Retry");
    expect(messageReasonText("soft_bounce: mailbox full")).toBe(
      "The email was not delivered (temporary failure): mailbox full",
    );
    expect(messageReasonText("removed")).toBe("The person was removed from the campaign");
    expect(messageReasonText("something new")).toBe("something new");
    expect(messageReasonText(null)).toBeNull();
  });
});
