import { describe, expect, it } from "vitest";
import { type AlarmInputs, expectedAlarm } from "./alarm";

const NOW = Date.UTC(2026, 10, 30, 12);
const idle: AlarmInputs = {
  active: true,
  now: NOW,
  earliestDue: null,
  outboxPending: false,
  outboxRetryAt: null,
  providerRetryAt: null,
  openReservations: false,
  preparesAt: null,
};

describe("expectedAlarm", () => {
  it("is absent when nothing is pending", () => {
    expect(expectedAlarm(idle)).toBeNull();
    expect(expectedAlarm({ ...idle, active: false })).toBeNull();
  });

  it("is the next due prospect of an active campaign", () => {
    expect(expectedAlarm({ ...idle, earliestDue: NOW + 60_000 })).toBe(NOW + 60_000);
  });

  it("ignores due prospects of a campaign that is not active", () => {
    expect(expectedAlarm({ ...idle, active: false, earliestDue: NOW + 60_000 })).toBeNull();
  });

  it("keeps a committed send's provider retry whatever the campaign's status", () => {
    expect(expectedAlarm({ ...idle, active: false, providerRetryAt: NOW + 20_000 })).toBe(
      NOW + 20_000,
    );
  });

  it("waits for a paced batch's preparation time before due prospects", () => {
    expect(expectedAlarm({ ...idle, earliestDue: NOW - 1_000, preparesAt: NOW + 30_000 })).toBe(
      NOW + 30_000,
    );
    expect(expectedAlarm({ ...idle, earliestDue: NOW + 60_000, preparesAt: NOW + 30_000 })).toBe(
      NOW + 60_000,
    );
    expect(
      expectedAlarm({
        ...idle,
        earliestDue: NOW + 60_000,
        preparesAt: NOW + 30_000,
        providerRetryAt: NOW + 5_000,
      }),
    ).toBe(NOW + 5_000);
  });

  it("takes the earliest of every deadline", () => {
    expect(
      expectedAlarm({
        ...idle,
        earliestDue: NOW + 90_000,
        outboxPending: true,
        outboxRetryAt: NOW + 30_000,
        providerRetryAt: NOW + 45_000,
      }),
    ).toBe(NOW + 30_000);
  });

  it("is never at or before now: a due deadline is now + 1 ms", () => {
    expect(expectedAlarm({ ...idle, earliestDue: NOW - 5_000 })).toBe(NOW + 1);
    expect(expectedAlarm({ ...idle, outboxPending: true })).toBe(NOW + 1);
    expect(expectedAlarm({ ...idle, openReservations: true, active: false })).toBe(NOW + 1);
  });
});
