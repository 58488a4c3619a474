import { describe, expect, it } from "vitest";
import {
  REASON_CODES,
  REASONS,
  ReasonSchema,
  reasonFits,
  reasonLabel,
  STATUSES,
  StatusSchema,
  statusLabel,
  statusOfReason,
} from "./statuses";

describe("statuses", () => {
  it("has the ten statuses of the design with display names", () => {
    expect(STATUSES).toHaveLength(10);
    expect(statusLabel("not_delivered")).toBe("Not Delivered");
    expect(statusLabel("active")).toBe("Active");
    expect(StatusSchema.safeParse("Active").success).toBe(false);
  });

  it("has the 25 reason codes, each under exactly one status", () => {
    expect(REASON_CODES).toHaveLength(25);
    expect(new Set(REASON_CODES).size).toBe(25);
    expect(ReasonSchema.safeParse("null_email").success).toBe(true);
    expect(ReasonSchema.safeParse("nope").success).toBe(false);
  });

  it("maps each reason to its status", () => {
    expect(statusOfReason("throttled")).toBe("pending");
    expect(statusOfReason("null_email")).toBe("failed");
    expect(statusOfReason("canceled")).toBe("not_delivered");
    expect(statusOfReason("complaint")).toBe("spam");
    expect(statusOfReason("sms_stop")).toBe("unsubscribed");
    for (const [status, codes] of Object.entries(REASONS)) {
      for (const code of codes) expect(statusOfReason(code)).toBe(status);
    }
  });

  it("says whether a reason fits a status", () => {
    expect(reasonFits("active", null)).toBe(true);
    expect(reasonFits("paused", null)).toBe(false);
    expect(reasonFits("paused", "paused_by_user")).toBe(true);
    expect(reasonFits("failed", "paused_by_user")).toBe(false);
  });
});

describe("reasonLabel", () => {
  it("gives every reason a distinct plain-words label", () => {
    const labels = REASON_CODES.map((r) => reasonLabel(r));
    expect(new Set(labels).size).toBe(REASON_CODES.length);
    for (const l of labels) expect(l.length).toBeGreaterThan(15);
  });

  it("explains null_email in terms of the email priority", () => {
    expect(reasonLabel("null_email")).toBe(
      "No email address that this stage may use (its email priority allows only personal/work addresses)",
    );
  });

  it("shows the resume time of a throttled prospect", () => {
    expect(reasonLabel("throttled", "Tue 00:00 UTC")).toBe(
      "Daily email limit reached; resumes at Tue 00:00 UTC",
    );
  });

  it("adds the bounce diagnostic and the missing fields", () => {
    expect(reasonLabel("hard_bounce", "550 5.1.1 user unknown")).toContain(
      "550 5.1.1 user unknown",
    );
    expect(reasonLabel("missing_merge_field", "lastName")).toContain("missing: lastName");
    expect(reasonLabel("soft_bounce", " ")).toBe(reasonLabel("soft_bounce"));
  });
});
