import { describe, expect, it } from "vitest";
import {
  compactNumber,
  daysBetween,
  type Frame,
  fillDays,
  funnelBars,
  limitBars,
  percent,
  seriesLines,
  shortDay,
  spacedIndexes,
  valueScale,
} from "./geometry";

// A frame with round numbers: the plot spans x 0..100 and y 100 (bottom) .. 0 (top).
const SQUARE: Frame = { width: 100, height: 100, margin: { top: 0, right: 0, bottom: 0, left: 0 } };

describe("days", () => {
  it("lists every UTC day of a range, both ends included, across a month end", () => {
    expect(daysBetween("2026-11-29", "2026-12-02")).toEqual([
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
    ]);
  });

  it("a range that ends before it starts has no days", () => {
    expect(daysBetween("2026-12-02", "2026-12-01")).toEqual([]);
  });

  it("fills days without activity with zeros and keeps the counts of the others", () => {
    const filled = fillDays([{ day: "2026-12-02", sent: 7 }], ["sent"], "2026-12-01", "2026-12-03");
    expect(filled).toEqual([
      { day: "2026-12-01", sent: 0 },
      { day: "2026-12-02", sent: 7 },
      { day: "2026-12-03", sent: 0 },
    ]);
  });

  it("labels a day as month and day in UTC", () => {
    expect(shortDay("2026-12-01")).toBe("Dec 1");
  });
});

describe("numbers", () => {
  it("shortens thousands and millions for axis labels", () => {
    expect(compactNumber(950)).toBe("950");
    expect(compactNumber(5000)).toBe("5k");
    expect(compactNumber(1250)).toBe("1.3k");
    expect(compactNumber(2_000_000)).toBe("2M");
  });

  it("shows small shares with one decimal and larger ones whole", () => {
    expect(percent(0)).toBe("0%");
    expect(percent(0.003)).toBe("0.3%");
    expect(percent(0.25)).toBe("25%");
    expect(percent(1)).toBe("100%");
  });

  it("picks at most n evenly spaced indexes including both ends", () => {
    expect(spacedIndexes(3, 5)).toEqual([0, 1, 2]);
    expect(spacedIndexes(30, 4)).toEqual([0, 10, 19, 29]);
    expect(spacedIndexes(0, 4)).toEqual([]);
  });

  it("a value axis starts at 0, ends at a round number at or above the max, with whole ticks", () => {
    const { ticks, top } = valueScale(87, [100, 0]);
    expect(top).toBeGreaterThanOrEqual(87);
    expect(top % 10).toBe(0);
    expect(ticks[0]).toMatchObject({ value: 0, at: 100 });
    expect(ticks.every((t) => Number.isInteger(t.value))).toBe(true);
  });

  it("an empty axis still spans 0..1 (no division by zero)", () => {
    const { ticks } = valueScale(0, [100, 0]);
    expect(ticks.map((t) => t.value)).toEqual([0, 1]);
  });
});

describe("funnel", () => {
  it("draws each step as its share of the first step's width", () => {
    const { bars, height } = funnelBars(
      [
        { label: "Reached", value: 200 },
        { label: "Opened", value: 100 },
        { label: "Replied", value: 10 },
      ],
      { width: 300, rowHeight: 40 },
    );
    expect(bars.map((b) => b.width)).toEqual([300, 150, 15]);
    expect(bars.map((b) => b.share)).toEqual([1, 0.5, 0.05]);
    expect(bars.map((b) => b.y)).toEqual([18, 58, 98]);
    expect(height).toBe(120);
  });

  it("a step with no one has no bar, and a tiny one stays visible", () => {
    const { bars } = funnelBars(
      [
        { label: "Reached", value: 1000 },
        { label: "Opened", value: 1 },
        { label: "Replied", value: 0 },
      ],
      { width: 300, rowHeight: 40 },
    );
    expect(bars[1].width).toBe(2);
    expect(bars[2].width).toBe(0);
  });

  it("a campaign that reached no one has empty bars and zero shares", () => {
    const { bars } = funnelBars([{ label: "Reached", value: 0 }], { width: 300, rowHeight: 40 });
    expect(bars[0]).toMatchObject({ width: 0, share: 0 });
  });
});

describe("time series", () => {
  const rows = [
    { day: "2026-12-01", sent: 0, replied: 0 },
    { day: "2026-12-02", sent: 10, replied: 5 },
  ];

  it("puts the first day at the left, the last at the right and values on a 0-based axis", () => {
    const g = seriesLines(rows, ["sent", "replied"], SQUARE);
    expect(g.paths.map((p) => p.key)).toEqual(["sent", "replied"]);
    // 10 is the axis top: (0, 100) → (100, 0) for sends; replies end half-way up.
    expect(g.paths[0].d).toBe("M0,100L100,0");
    expect(g.paths[1].last).toEqual({ x: 100, y: 50 });
    expect(g.paths[1].points).toEqual([
      { x: 0, y: 100, value: 0 },
      { x: 100, y: 50, value: 5 },
    ]);
    expect(g.xTicks.map((t) => t.label)).toEqual(["Dec 1", "Dec 2"]);
  });

  it("no days draw no lines", () => {
    const g = seriesLines([], ["sent"], SQUARE);
    expect(g.paths[0]).toEqual({ key: "sent", d: "", points: [], last: null });
    expect(g.xTicks).toEqual([]);
  });
});

describe("sends against the daily limit", () => {
  it("scales bars and the limit line on one axis and flags days over the limit", () => {
    const g = limitBars(
      [
        { day: "2026-12-01", sent: 50 },
        { day: "2026-12-02", sent: 120 },
      ],
      100,
      SQUARE,
    );
    // The axis reaches the larger of the limit and the busiest day, made round (120 → 120).
    expect(g.yTicks.at(-1)?.value).toBe(120);
    expect(g.limitY).toBeCloseTo(100 - (100 / 120) * 100);
    expect(g.bars[0].height).toBeCloseTo((50 / 120) * 100);
    expect(g.bars.map((b) => b.over)).toEqual([false, true]);
    expect(g.bars[0].x).toBeLessThan(g.bars[1].x);
  });

  it("keeps the limit line in view when every day is far below it", () => {
    const g = limitBars([{ day: "2026-12-01", sent: 3 }], 5000, SQUARE);
    expect(g.limitY).toBeGreaterThanOrEqual(0);
    expect(g.limitY).toBeLessThan(100);
    expect(g.bars[0].over).toBe(false);
  });
});
