import { describe, expect, it } from "vitest";
import {
  deliveryEffect,
  nextEmailStatus,
  ResendEventSchema,
  rowIdsInHeaders,
} from "./resend-events";

const ev = (type: string, data: Record<string, unknown> = {}) =>
  ResendEventSchema.parse({ type, data: { email_id: "re_1", ...data } });

describe("deliveryEffect", () => {
  it("maps bounces and complaints as the inbound classifier does", () => {
    expect(
      deliveryEffect(ev("email.bounced", { bounce: { type: "Permanent", subType: "General" } })),
    ).toMatchObject({ emailLog: "bounced", prospect: "hard_bounce", suppress: true });
    expect(
      deliveryEffect(
        ev("email.bounced", { bounce: { type: "Transient", subType: "MailboxFull" } }),
      ),
    ).toMatchObject({ emailLog: "not_delivered", prospect: "soft_bounce", suppress: false });
    expect(deliveryEffect(ev("email.complained"))).toMatchObject({
      emailLog: "spam",
      prospect: "complaint",
      suppress: true,
    });
    expect(deliveryEffect(ev("email.suppressed"))).toMatchObject({
      emailLog: "bounced",
      prospect: "hard_bounce",
    });
    expect(deliveryEffect(ev("email.failed", { failed: { reason: "quota" } }))).toMatchObject({
      emailLog: "not_delivered",
      prospect: "provider_rejected",
      detail: "quota",
    });
    expect(deliveryEffect(ev("email.delivered"))).toMatchObject({
      emailLog: "delivered",
      prospect: null,
    });
    expect(deliveryEffect(ev("email.delivery_delayed"))).toBeNull();
    expect(deliveryEffect(ev("email.opened"))).toBeNull();
  });
});

describe("nextEmailStatus: events in any order", () => {
  it("moves forward only", () => {
    expect(nextEmailStatus("sent", "delivered")).toBe("delivered");
    expect(nextEmailStatus("delivered", "bounced")).toBe("bounced");
    expect(nextEmailStatus("bounced", "delivered")).toBeNull();
    expect(nextEmailStatus("delivered", "sent")).toBeNull();
    expect(nextEmailStatus("spam", "bounced")).toBeNull();
    expect(nextEmailStatus("bounced", "spam")).toBeNull();
    expect(nextEmailStatus("not_delivered", "bounced")).toBe("bounced");
    expect(nextEmailStatus("not_delivered", "delivered")).toBeNull();
  });

  it("never touches a message not sent, or ended otherwise", () => {
    for (const s of ["waiting", "sending", "held", "canceled", "failed"]) {
      expect(nextEmailStatus(s, "delivered")).toBeNull();
    }
  });
});

describe("rowIdsInHeaders", () => {
  it("finds our ids on our host in Message-ID, then References (latest first)", () => {
    const a = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const b = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const e = ev("email.delivered", {
      headers: [
        { name: "Message-ID", value: "<other@ses.amazonaws.com>" },
        { name: "References", value: `<${a}@beacon.test> <${b}@beacon.test> <${b}@else.example>` },
      ],
    });
    expect(rowIdsInHeaders(e, "beacon.test")).toEqual([b, a]);
  });
});
