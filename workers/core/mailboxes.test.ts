import { describe, expect, it } from "vitest";
import {
  assessMailbox,
  base32,
  domainOf,
  MailboxInputSchema,
  newSyncToken,
  syncAddress,
} from "./mailboxes";

describe("MailboxInputSchema", () => {
  it("trims and lower-cases the address", () => {
    const m = MailboxInputSchema.parse({ address: " Jane@Acme.COM ", name: "Jane" });
    expect(m.address).toBe("jane@acme.com");
  });

  it("names every bad field", () => {
    const r = MailboxInputSchema.safeParse({ address: "nope", name: "", dailyCap: 0 });
    expect(r.error?.issues.map((i) => i.path.join(".")).sort()).toEqual([
      "address",
      "dailyCap",
      "name",
    ]);
  });

  it("refuses a line break inside the name, naming the field", () => {
    for (const name of ["Jane\r\nBcc: victim@x.example", "Jane\nDoe", "Jane\rDoe"]) {
      const r = MailboxInputSchema.safeParse({ address: "a@b.co", name });
      expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["name"]);
    }
  });

  it("accepts a name with a comma (From quotes it)", () => {
    expect(MailboxInputSchema.parse({ address: "a@b.co", name: "Doe, Jane" }).name).toBe(
      "Doe, Jane",
    );
  });

  it("allows no daily cap", () => {
    expect(MailboxInputSchema.parse({ address: "a@b.co", name: "A" }).dailyCap).toBeUndefined();
    expect(
      MailboxInputSchema.parse({ address: "a@b.co", name: "A", dailyCap: null }).dailyCap,
    ).toBeNull();
  });
});

describe("assessMailbox", () => {
  it("can send when sending is healthy and captures replies with an inbound domain", () => {
    expect(assessMailbox({ canSend: true, problem: null }, "in.test")).toEqual({
      canSend: true,
      capturesReplies: true,
      problem: null,
    });
  });

  it("keeps the sending problem", () => {
    const h = assessMailbox({ canSend: false, problem: "Verify it." }, "in.test");
    expect(h).toEqual({ canSend: false, capturesReplies: true, problem: "Verify it." });
  });

  it("does not capture replies without an inbound domain, and says why after the sending problem", () => {
    const h = assessMailbox({ canSend: false, problem: "Verify it." }, undefined);
    expect(h.canSend).toBe(false);
    expect(h.capturesReplies).toBe(false);
    expect(h.problem).toMatch(/^Verify it\. Replies are not captured: .*INBOUND_DOMAIN/);
  });
});

describe("sync address", () => {
  it("is sync+token at the inbound domain", () => {
    expect(syncAddress("abc", "in.example.com")).toBe("sync+abc@in.example.com");
  });

  it("is null without an inbound domain", () => {
    expect(syncAddress("abc", undefined)).toBeNull();
  });

  it("has a token of 256 random bits whose local part fits SMTP's 64 octets", () => {
    const token = newSyncToken((b) => b.fill(255));
    expect(token).toMatch(/^[a-z2-7]{52}$/);
    expect(`sync+${token}`.length).toBeLessThanOrEqual(64);
  });

  it("encodes base32 as RFC 4648 does", () => {
    expect(base32(new TextEncoder().encode("foobar"))).toBe("mzxw6ytboi");
  });

  it("reads the domain of an address", () => {
    expect(domainOf("Jane@Acme.com")).toBe("acme.com");
  });
});
