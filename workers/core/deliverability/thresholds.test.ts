import { describe, expect, it } from "vitest";
import { senderHealth } from "./thresholds";

const of = (sent: number, bounced: number, complained: number) => {
  const [bounce, complaint] = senderHealth({ sent, bounced, complained });
  return { bounce, complaint };
};

describe("complaint rate (Gmail/Yahoo: under 0.3%, ideally under 0.1%)", () => {
  it("under 0.1% is fine", () => {
    expect(of(10_000, 0, 9).complaint).toMatchObject({ level: "ok", rate: 0.0009 });
  });
  it("0.1% up to 0.3% is a warning", () => {
    expect(of(10_000, 0, 10).complaint.level).toBe("warning");
    expect(of(10_000, 0, 29).complaint.level).toBe("warning");
  });
  it("0.3% or more is an alarm", () => {
    expect(of(1_000, 0, 3).complaint.level).toBe("alarm");
  });
});

describe("bounce rate (warn over 2%, alarm over 5%)", () => {
  it("2% exactly is fine, just over is a warning", () => {
    expect(of(100, 2, 0).bounce.level).toBe("ok");
    expect(of(1_000, 21, 0).bounce.level).toBe("warning");
  });
  it("5% exactly is a warning, just over is an alarm", () => {
    expect(of(100, 5, 0).bounce.level).toBe("warning");
    expect(of(1_000, 51, 0).bounce.level).toBe("alarm");
  });
});

it("nothing sent has zero rates and no warnings", () => {
  expect(senderHealth({ sent: 0, bounced: 0, complained: 0 })).toEqual([
    { metric: "bounce", rate: 0, count: 0, sent: 0, level: "ok" },
    { metric: "complaint", rate: 0, count: 0, sent: 0, level: "ok" },
  ]);
});
