import { describe, expect, it } from "vitest";
import {
  CLAIM_TTL_MS,
  CONFIRMATION_RESEND_GAP_MS,
  CONFIRMATION_TTL_MS,
  ConfirmTokenSchema,
  challengeProved,
  challengeRecord,
  claimDecision,
  claimExpiryCutoff,
  claimLive,
  confirmationDue,
  confirmationEmail,
  DomainNameSchema,
  domainRefreshDue,
  domainTone,
  type SendingFacts,
  sendingHealth,
} from "./sending-domains";

describe("DomainNameSchema", () => {
  it("lower-cases, trims and drops a trailing dot", () => {
    expect(DomainNameSchema.parse("  Mail.Acme.COM. ")).toBe("mail.acme.com");
  });

  it("takes punycode names", () => {
    expect(DomainNameSchema.parse("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
  });

  it.each([
    "acme",
    "https://acme.com",
    "jane@acme.com",
    "acme..com",
    "-acme.com",
    "acme-.com",
    "10.0.0.1",
    "acme.com/path",
    "bücher.de",
    `${"a".repeat(64)}.com`,
  ])("refuses %s with a hint naming the expected form", (bad) => {
    const r = DomainNameSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain("such as acme.com");
  });
});

const verified = { ours: true as const, name: "acme.com", status: "verified" };
const facts = (over: Partial<Extract<SendingFacts, { mode: "provider" }>> = {}): SendingFacts => ({
  mode: "provider",
  address: "jane@acme.com",
  domainName: "acme.com",
  domain: verified,
  confirmedAt: null,
  confirmation: null,
  ...over,
});

describe("sendingHealth", () => {
  it("always sends through the local sink", () => {
    expect(sendingHealth({ mode: "sink" })).toEqual({ canSend: true, problem: null });
  });

  it("sends from a verified domain of the team once the address is confirmed", () => {
    expect(sendingHealth(facts({ confirmedAt: 1 }))).toEqual({ canSend: true, problem: null });
  });

  it("asks to add and verify a domain nobody registered", () => {
    const h = sendingHealth(facts({ domain: null }));
    expect(h.canSend).toBe(false);
    expect(h.problem).toMatch(/^Add and verify acme\.com under Settings → Sending domains/);
  });

  it("never sends from another team's domain, even confirmed", () => {
    const h = sendingHealth(facts({ domain: { ours: false, name: "acme.com" }, confirmedAt: 1 }));
    expect(h).toEqual({
      canSend: false,
      problem: "The domain acme.com belongs to another team, so this mailbox cannot send.",
    });
  });

  it("names the status of a domain that is not verified yet, even when confirmed", () => {
    const h = sendingHealth(
      facts({ domain: { ours: true, name: "acme.com", status: "pending" }, confirmedAt: 1 }),
    );
    expect(h.canSend).toBe(false);
    expect(h.problem).toContain("acme.com is not verified yet (checking dns)");
  });

  it("waits for the emailed link on a verified domain", () => {
    const h = sendingHealth(facts({ confirmation: { sentAt: 5 } }));
    expect(h.canSend).toBe(false);
    expect(h.problem).toBe(
      "Confirm the address: open the link we emailed to jane@acme.com. Resync sends a new link.",
    );
  });

  it("reports a link that could not be emailed", () => {
    const h = sendingHealth(facts({ confirmation: { error: "rate limited" } }));
    expect(h.problem).toContain(
      "Could not email the confirmation link to jane@acme.com: rate limited",
    );
  });
});

describe("confirmationDue", () => {
  const now = 10 * CONFIRMATION_TTL_MS;

  it("is due on a verified domain when no link went out", () => {
    expect(confirmationDue(facts(), null, now, false)).toBe(true);
  });

  it("is not due while a link is outstanding, unless a resend is asked for", () => {
    const sentAt = now - 2 * CONFIRMATION_RESEND_GAP_MS;
    expect(confirmationDue(facts(), sentAt, now, false)).toBe(false);
    expect(confirmationDue(facts(), sentAt, now, true)).toBe(true);
  });

  it("does not resend twice within a minute", () => {
    expect(confirmationDue(facts(), now - 1_000, now, true)).toBe(false);
  });

  it("is due again once the link expired", () => {
    expect(confirmationDue(facts(), now - CONFIRMATION_TTL_MS, now, false)).toBe(true);
  });

  it("is never due before the domain is verified, once confirmed, or for another team", () => {
    expect(
      confirmationDue(
        facts({ domain: { ours: true, name: "acme.com", status: "pending" } }),
        null,
        now,
        true,
      ),
    ).toBe(false);
    expect(confirmationDue(facts({ confirmedAt: 1 }), null, now, true)).toBe(false);
    expect(
      confirmationDue(facts({ domain: { ours: false, name: "acme.com" } }), null, now, true),
    ).toBe(false);
    expect(confirmationDue({ mode: "sink" }, null, now, true)).toBe(false);
  });
});

describe("domain status", () => {
  it("badges verified ok, failed danger, the rest warn", () => {
    expect(domainTone("verified")).toBe("ok");
    expect(domainTone("failed")).toBe("danger");
    expect(domainTone("pending")).toBe("warn");
    expect(domainTone("not_started")).toBe("warn");
  });

  it("re-checks statuses in progress after 30 s and settled ones after 6 h", () => {
    expect(domainRefreshDue("pending", 0, 29_999)).toBe(false);
    expect(domainRefreshDue("pending", 0, 30_000)).toBe(true);
    expect(domainRefreshDue("verified", 0, 30_000)).toBe(false);
    expect(domainRefreshDue("verified", 0, 6 * 60 * 60_000)).toBe(true);
    expect(domainRefreshDue("not_started", null, 0)).toBe(true);
  });
});

describe("confirmation email", () => {
  const email = confirmationEmail({
    address: "jane@acme.com",
    senderName: "Jane <Doe>",
    domain: "acme.com",
    teamName: "Acme & Co",
    addedBy: "Sam",
    link: "https://beacon.test/mailboxes/confirm/abc",
  });

  it("comes from the verified domain's system address to the mailbox", () => {
    expect(email.from).toBe("Beacon <noreply@acme.com>");
    expect(email.to).toBe("jane@acme.com");
    expect(email.subject).toBe("Confirm jane@acme.com for sending from Beacon");
  });

  it("carries the link in both parts and escapes names in the HTML", () => {
    expect(email.text).toContain("https://beacon.test/mailboxes/confirm/abc");
    expect(email.html).toContain('href="https://beacon.test/mailboxes/confirm/abc"');
    expect(email.html).toContain("Acme &amp; Co");
    expect(email.html).toContain("Jane &lt;Doe&gt;");
  });
});

describe("ConfirmTokenSchema", () => {
  it("takes 52 base32 characters only", () => {
    expect(ConfirmTokenSchema.safeParse("a".repeat(52)).success).toBe(true);
    expect(ConfirmTokenSchema.safeParse("a".repeat(51)).success).toBe(false);
    expect(ConfirmTokenSchema.safeParse(`${"a".repeat(51)}1`).success).toBe(false);
  });
});

describe("domain claims", () => {
  const HOUR = 60 * 60_000;
  const now = Date.parse("2030-05-01T12:00:00Z");
  const claim = (teamId: string, status: string, ageHours: number) => ({
    teamId,
    status,
    createdAt: now - ageHours * HOUR,
  });

  it("expires unverified claims 72 hours after they were made", () => {
    expect(CLAIM_TTL_MS).toBe(72 * HOUR);
    expect(claimExpiryCutoff(now)).toBe(now - 72 * HOUR);
    expect(claimLive(claim("a", "pending", 71), now)).toBe(true);
    expect(claimLive(claim("a", "not_started", 72), now)).toBe(false);
    expect(claimLive(claim("a", "awaiting_proof", 73), now)).toBe(false);
  });

  it("never expires a verified claim, and a lost one never counts", () => {
    expect(claimLive(claim("a", "verified", 10_000), now)).toBe(true);
    expect(claimLive(claim("a", "lost", 1), now)).toBe(false);
  });

  it("registers a name nobody holds, or whose only claims expired or were lost", () => {
    expect(claimDecision([], "b", now)).toEqual({ kind: "register" });
    expect(claimDecision([claim("a", "pending", 80)], "b", now)).toEqual({ kind: "register" });
    expect(claimDecision([claim("a", "lost", 1)], "b", now)).toEqual({ kind: "register" });
  });

  it("lets a second team prove DNS for a name another team holds unverified", () => {
    expect(claimDecision([claim("a", "pending", 5)], "b", now)).toEqual({ kind: "challenge" });
    expect(claimDecision([claim("a", "registering", 0)], "b", now)).toEqual({
      kind: "challenge",
    });
  });

  it("refuses a name another team verified, however old", () => {
    expect(claimDecision([claim("a", "verified", 500)], "b", now)).toEqual({
      kind: "refused",
      message: "This domain belongs to another team.",
    });
  });

  it("refuses a team's second claim of the same name, naming a lost one", () => {
    expect(claimDecision([claim("b", "pending", 1)], "b", now)).toMatchObject({
      kind: "refused",
      message: "Your team has already added this domain.",
    });
    expect(claimDecision([claim("b", "lost", 1)], "b", now)).toMatchObject({
      kind: "refused",
      message: expect.stringContaining("Remove your lost claim"),
    });
  });

  it("puts the challenge under its own name and finds it among split or quoted TXT strings", () => {
    const record = challengeRecord("acme.com", "tok123");
    expect(record).toEqual({
      record: "Ownership",
      type: "TXT",
      name: "_beacon-challenge.acme.com",
      value: "beacon-verify=tok123",
    });
    expect(challengeProved("beacon-verify=tok123", ['"beacon-verify=tok123"'])).toBe(true);
    expect(challengeProved("beacon-verify=tok123", ['"beacon-verify=" "tok123"'])).toBe(true);
    expect(challengeProved("beacon-verify=tok123", ['"v=spf1 -all"', "beacon-verify=other"])).toBe(
      false,
    );
  });
});
