import { describe, expect, it } from "vitest";
import {
  assessMailbox,
  base32,
  coveringDomain,
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

  it("allows no daily cap", () => {
    expect(MailboxInputSchema.parse({ address: "a@b.co", name: "A" }).dailyCap).toBeUndefined();
    expect(
      MailboxInputSchema.parse({ address: "a@b.co", name: "A", dailyCap: null }).dailyCap,
    ).toBeNull();
  });
});

describe("coveringDomain", () => {
  const domains = [
    { name: "acme.com", status: "verified" },
    { name: "eu.acme.com", status: "pending" },
  ];

  it("prefers the exact domain", () => {
    expect(coveringDomain("eu.acme.com", domains)?.status).toBe("pending");
  });

  it("falls back to the closest parent domain", () => {
    expect(coveringDomain("us.acme.com", domains)?.name).toBe("acme.com");
  });

  it("does not take a domain that merely ends with the same letters", () => {
    expect(coveringDomain("notacme.com", domains)).toBeNull();
  });
});

describe("assessMailbox", () => {
  it("can always send through the local sink", () => {
    expect(assessMailbox("jane@anything.test", { kind: "sink" }, "in.test")).toEqual({
      canSend: true,
      capturesReplies: true,
      problem: null,
    });
  });

  it("can send when the provider has verified the address's domain", () => {
    const check = {
      kind: "provider" as const,
      domains: [{ name: "acme.com", status: "verified" }],
    };
    expect(assessMailbox("jane@acme.com", check, "in.test").canSend).toBe(true);
  });

  it("explains a domain that is not verified yet, with its status", () => {
    const check = { kind: "provider" as const, domains: [{ name: "acme.com", status: "pending" }] };
    const h = assessMailbox("jane@acme.com", check, "in.test");
    expect(h.canSend).toBe(false);
    expect(h.problem).toBe(
      "The domain acme.com is not verified with the email provider (status: pending).",
    );
  });

  it("explains a domain the provider does not know", () => {
    const h = assessMailbox("jane@other.org", { kind: "provider", domains: [] }, "in.test");
    expect(h.canSend).toBe(false);
    expect(h.problem).toContain("other.org is not registered");
  });

  it("explains an unreachable provider", () => {
    const h = assessMailbox(
      "jane@acme.com",
      { kind: "unreachable", message: "timed out" },
      "in.test",
    );
    expect(h).toMatchObject({
      canSend: false,
      problem: "Could not reach the email provider: timed out",
    });
  });

  it("does not capture replies without an inbound domain, and says why", () => {
    const h = assessMailbox("jane@acme.com", { kind: "sink" }, undefined);
    expect(h.canSend).toBe(true);
    expect(h.capturesReplies).toBe(false);
    expect(h.problem).toContain("INBOUND_DOMAIN");
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
