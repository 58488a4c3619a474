import { describe, expect, it } from "vitest";
import { findReply, findStatus, reasonOfStatus, softOrHard } from "./smtp-codes";

describe("findStatus", () => {
  it("finds the enhanced status in the usual spellings", () => {
    expect(findStatus("550 5.1.1 <a@b.example>: User unknown")).toBe("5.1.1");
    expect(findStatus("550-5.7.1 [192.0.2.1] blocked")).toBe("5.7.1");
    expect(findStatus("Sorry, no mailbox here by that name. (#5.1.1)")).toBe("5.1.1");
    expect(findStatus("452 4.2.2 over quota")).toBe("4.2.2");
  });

  it("does not take an IP address or a version for a status", () => {
    expect(findStatus("host 10.5.1.1 said: 550 user unknown")).toBe("");
    expect(findStatus("no code here")).toBe("");
  });
});

describe("findReply", () => {
  it("finds the reply code, skipping IP addresses", () => {
    expect(findReply("host [192.0.2.250] said: 550 5.1.1 no such user")).toBe("550");
    expect(findReply("421 try again later")).toBe("421");
    expect(findReply("X-Unix; 127")).toBe("");
  });
});

describe("reasonOfStatus", () => {
  it("names the reason of a standard code and nothing for a vague one", () => {
    expect(reasonOfStatus("5.1.1")).toBe("userunknown");
    expect(reasonOfStatus("5.1.2")).toBe("hostunknown");
    expect(reasonOfStatus("5.2.2")).toBe("mailboxfull");
    expect(reasonOfStatus("5.0.0")).toBe("");
  });
});

describe("softOrHard", () => {
  it("calls a gone address or domain hard and everything else soft", () => {
    expect(softOrHard("userunknown", "5.1.1")).toBe("hard");
    expect(softOrHard("hostunknown", "")).toBe("hard");
    expect(softOrHard("hasmoved", "5.1.6")).toBe("hard");
    expect(softOrHard("mailboxfull", "5.2.2")).toBe("soft");
    expect(softOrHard("spamdetected", "5.7.1")).toBe("soft");
    expect(softOrHard("onhold", "5.0.0")).toBe("soft");
  });

  it("calls a host that takes no mail hard unless the code is temporary", () => {
    expect(softOrHard("notaccept", "5.1.10 null MX")).toBe("hard");
    expect(softOrHard("notaccept", "")).toBe("hard");
    expect(softOrHard("notaccept", "4.3.2 not accepting")).toBe("soft");
  });
});
