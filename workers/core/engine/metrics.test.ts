import { describe, expect, it } from "vitest";
import { accountMetrics, campaignMetrics, type EngagementEvent } from "./metrics";

const ev = (
  personId: string,
  stageIndex: number,
  kind: EngagementEvent["kind"],
): EngagementEvent => ({ personId, stageIndex, kind });

describe("campaignMetrics", () => {
  it("counts one open per person per message however many times they opened it", () => {
    const m = campaignMetrics(
      [ev("a", 0, "open"), ev("a", 0, "open"), ev("a", 0, "open"), ev("b", 0, "open")],
      4,
      2,
    );
    expect(m.stages[0].opened).toEqual({ people: 2, rate: 0.5 });
    expect(m.stages[1].opened).toEqual({ people: 0, rate: 0 });
  });

  it("totals people who did something at ANY stage, once each", () => {
    const m = campaignMetrics(
      [
        ev("a", 0, "open"),
        ev("a", 1, "open"),
        ev("b", 1, "open"),
        ev("b", 1, "click"),
        ev("c", 2, "reply"),
      ],
      10,
      3,
    );
    expect(m.totals.opened).toEqual({ people: 2, rate: 0.2 });
    expect(m.totals.clicked).toEqual({ people: 1, rate: 0.1 });
    expect(m.totals.replied).toEqual({ people: 1, rate: 0.1 });
    expect(m.totals.downloaded).toEqual({ people: 0, rate: 0 });
    expect(m.stages.map((s) => s.opened.people)).toEqual([1, 2, 0]);
    expect(m.stages[2].replied.people).toBe(1);
  });

  it("divides by everyone in the campaign, not by those reached", () => {
    expect(campaignMetrics([ev("a", 0, "download")], 8, 1).stages[0].downloaded.rate).toBe(0.125);
  });

  it("gives zero rates for an empty campaign", () => {
    const m = campaignMetrics([], 0, 2);
    expect(m.stages).toHaveLength(2);
    expect(m.totals.opened).toEqual({ people: 0, rate: 0 });
  });

  it("keeps events of a stage deleted since in the totals", () => {
    const m = campaignMetrics([ev("a", 5, "click")], 2, 1);
    expect(m.stages).toHaveLength(1);
    expect(m.totals.clicked.people).toBe(1);
  });
});

describe("accountMetrics", () => {
  it("adds campaigns together: people who did X / all prospects", () => {
    const c1 = campaignMetrics([ev("a", 0, "reply")], 4, 1);
    const c2 = campaignMetrics([ev("a", 0, "reply"), ev("b", 0, "reply")], 6, 1);
    const total = accountMetrics([c1, c2]);
    expect(total.prospects).toBe(10);
    expect(total.totals.replied).toEqual({ people: 3, rate: 0.3 });
    expect(accountMetrics([]).totals.opened.rate).toBe(0);
  });
});
