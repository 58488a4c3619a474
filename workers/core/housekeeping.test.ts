import { describe, expect, it } from "vitest";
import { describeOverdueRun, isOverdue, OVERDUE_AFTER_MS, overdueCutoff } from "./housekeeping";

const at = (iso: string) => Date.parse(iso);
const NOW = at("2030-01-07T10:00:00Z");

describe("overdue work", () => {
  it("is five minutes", () => {
    expect(OVERDUE_AFTER_MS).toBe(300_000);
  });

  it("has its cutoff five minutes before now", () => {
    expect(overdueCutoff(NOW)).toBe(at("2030-01-07T09:55:00Z"));
  });

  it("counts work due exactly five minutes ago, or earlier", () => {
    expect(isOverdue(at("2030-01-07T09:55:00Z"), NOW)).toBe(true);
    expect(isOverdue(at("2030-01-07T09:50:00Z"), NOW)).toBe(true);
    expect(isOverdue(at("2029-12-31T00:00:00Z"), NOW)).toBe(true);
  });

  it("leaves work less than five minutes late, or not yet due, alone", () => {
    expect(isOverdue(at("2030-01-07T09:55:00.001Z"), NOW)).toBe(false);
    expect(isOverdue(at("2030-01-07T09:59:00Z"), NOW)).toBe(false);
    expect(isOverdue(at("2030-01-07T10:30:00Z"), NOW)).toBe(false);
  });

  it("never counts a member with no due time", () => {
    expect(isOverdue(null, NOW)).toBe(false);
  });
});

describe("describeOverdueRun", () => {
  const cutoff = at("2030-01-07T09:55:00Z");

  it("names each campaign under what its poke found", () => {
    const line = describeOverdueRun({
      cutoff,
      limit: 500,
      outcomes: [
        { campaignId: "c1", ok: true, alarmAt: NOW },
        { campaignId: "c2", ok: true, alarmAt: null },
        { campaignId: "c3", ok: false },
        { campaignId: "c4", ok: true, alarmAt: NOW + 1 },
      ],
    });
    expect(line).toBe(
      "housekeeping overdue-campaigns: 4 with work due by 2030-01-07T09:55:00.000Z; " +
        "armed 2 [c1,c4]; nothing pending 1 [c2]; failed 1 [c3]",
    );
  });

  it("is one line with zeros when nothing is late", () => {
    const line = describeOverdueRun({ cutoff, limit: 500, outcomes: [] });
    expect(line).toBe(
      "housekeeping overdue-campaigns: 0 with work due by 2030-01-07T09:55:00.000Z; " +
        "armed 0 []; nothing pending 0 []; failed 0 []",
    );
    expect(line).not.toContain("\n");
  });

  it("says so when the run stopped at its limit", () => {
    const line = describeOverdueRun({
      cutoff,
      limit: 2,
      outcomes: [
        { campaignId: "c1", ok: true, alarmAt: NOW },
        { campaignId: "c2", ok: true, alarmAt: NOW },
      ],
    });
    expect(line).toContain(
      "2 with work due by 2030-01-07T09:55:00.000Z (the first 2; more next run);",
    );
  });
});
