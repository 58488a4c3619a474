import { describe, expect, it } from "vitest";
import { judge } from "./judge";
import { newDelivery } from "./mta-common";
import { type Delivery, reasonOf, saysReason } from "./reason";

const d = (over: Partial<Delivery>): Delivery => ({
  ...newDelivery(),
  recipient: "a@example.org",
  ...over,
});

describe("saysReason", () => {
  it("recognizes sisimai's words and patterns in a lower-cased diagnostic", () => {
    expect(saysReason("userunknown", "550 5.1.1 <a@b>: user unknown")).toBe(true);
    expect(saysReason("mailboxfull", "452 4.2.2 mailbox is full")).toBe(true);
    expect(saysReason("hostunknown", "553 mx.example.org does not exist")).toBe(true);
    expect(
      saysReason("blocked", "554 5.7.1 client host 192.0.2.1 blocked using zen.spamhaus.org"),
    ).toBe(true);
    expect(saysReason("spamdetected", "550 5.7.1 message rejected as spam")).toBe(true);
  });

  it("does not read a recipient refusal as a sender refusal", () => {
    expect(saysReason("rejected", "550 recipient address rejected: access denied")).toBe(false);
    expect(saysReason("rejected", "553 sender address rejected: domain not found")).toBe(true);
  });
});

describe("reasonOf", () => {
  it("trusts a standard status code", () => {
    expect(reasonOf(d({ status: "5.1.1", diagnostic: "550 5.1.1 no" }))).toBe("userunknown");
    expect(reasonOf(d({ status: "5.2.2", diagnostic: "552 5.2.2 quota" }))).toBe("mailboxfull");
  });

  it("lets the words of a 5.1.1 that is really a relay refusal win", () => {
    expect(reasonOf(d({ status: "5.1.1", diagnostic: "550 5.1.1 relay access denied" }))).toBe(
      "norelaying",
    );
  });

  it("reads an unknown user only at RCPT when the code says nothing", () => {
    const words = "550 user unknown";
    expect(reasonOf(d({ status: "5.0.0", diagnostic: words, command: "RCPT" }))).toBe(
      "userunknown",
    );
    // After DATA the same words are a filter's (sisimai's reading).
    expect(reasonOf(d({ status: "5.0.0", diagnostic: words, command: "DATA" }))).toBe("filtered");
  });

  it("keeps a reason an MTA's reader settled", () => {
    expect(reasonOf(d({ reason: "suspend", diagnostic: "whatever" }))).toBe("suspend");
  });

  it("falls back on the class of the code, the action, then onhold", () => {
    expect(reasonOf(d({ status: "5.7.0", diagnostic: "550 5.7.0 nope" }))).toBe("securityerror");
    expect(reasonOf(d({ action: "delayed", diagnostic: "" }))).toBe("expired");
    expect(reasonOf(d({ diagnostic: "something odd happened" }))).toBe("onhold");
    expect(reasonOf(d({ diagnostic: "" }))).toBe("undefined");
  });
});

describe("judge", () => {
  it("prefers the specific code quoted in the words to the report's vague one", () => {
    const b = judge(
      d({
        status: "5.0.0",
        diagnostic: "550 5.1.1 <a@example.org>: user unknown",
        command: "RCPT",
      }),
    );
    expect(b).toMatchObject({ class: "hard", reason: "userunknown", status: "5.1.1" });
  });

  it("reads a receiving host's own codes (Gmail's words under 5.2.1: account disabled)", () => {
    const b = judge(
      d({
        status: "5.2.1",
        diagnostic: "550 5.2.1 The email account that you tried to reach is disabled.",
        rhost: "gmail-smtp-in.l.google.com",
      }),
    );
    expect(b).toMatchObject({ class: "soft", reason: "suspend" });
  });

  it("reads a temporary refusal of all mail as soft and a permanent one as hard", () => {
    expect(
      judge(d({ status: "4.3.2", diagnostic: "421 4.3.2 System not accepting network messages" }))
        .class,
    ).toBe("soft");
    expect(
      judge(d({ status: "5.3.2", diagnostic: "550 5.3.2 System not accepting network messages" }))
        .class,
    ).toBe("hard");
  });
});
