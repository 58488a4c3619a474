/**
 * Sending identity (issue 4 item 7) against the fake Resend: a team registers its domain,
 * sees the DNS records, verifies it; a mailbox on it is confirmed by an emailed link before
 * it can send; no team can send as another team's address; the sink is unchanged.
 */
import { env } from "cloudflare:workers";
import { db, schema } from "@workers/db/client";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import { alarmUntil, CampaignBody, ProspectPage } from "../helpers/engine";
import { addMember, api, html, makeTeam, page, type TestUser } from "../helpers/teams";

const fakeUrl = inject("resendFakeUrl");

afterEach(() => {
  resetEngineHooks();
  vi.restoreAllMocks();
});

/** Points Beacon (domains, confirmations, campaigns) at a fresh namespace of the fake. */
function useFakeResend(): string {
  const key = `re_test_${crypto.randomUUID()}`;
  engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
  return key;
}

const Domain = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  records: z.array(
    z.object({ record: z.string(), type: z.string(), name: z.string(), value: z.string() }),
  ),
  checkedAt: z.string().nullable(),
});
const Mailbox = z.object({
  id: z.string(),
  address: z.string(),
  canSend: z.boolean(),
  capturesReplies: z.boolean(),
  syncAddress: z.string().nullable(),
  problem: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  confirmationSentAt: z.string().nullable(),
});
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

async function call<T>(schema: z.ZodType<T>, res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return schema.parse(JSON.parse(text));
}

async function mailboxOf(user: TestUser, id: string) {
  const list = await call(
    z.object({ items: z.array(Mailbox) }),
    await api(user.key, "GET", "/api/v1/mailboxes"),
    200,
  );
  const found = list.items.find((m) => m.id === id);
  if (!found) throw new Error(`mailbox ${id} not listed`);
  return found;
}

/** The confirmation links the fake accepted for `address`, oldest first. */
async function linksTo(key: string, address: string): Promise<string[]> {
  const stats = await fakeStats(fakeUrl, key);
  return stats.emails
    .filter((e) => e.to.includes(address) && e.subject.startsWith("Confirm "))
    .map(
      (e) => /http:\/\/localhost(\/mailboxes\/confirm\/[a-z2-7]{52})/.exec(e.text ?? "")?.[1] ?? "",
    );
}

/**
 * Moves a stored time into the past instead of moving the clock: pages run in the Remix
 * server build, which has its own copy of the clock module.
 */
async function ageDomainCheck(domainId: string, ms: number) {
  await db(env)
    .update(schema.sendingDomain)
    .set({ checkedAt: new Date(Date.now() - ms) })
    .where(eq(schema.sendingDomain.id, domainId));
}

async function ageConfirmation(mailboxId: string, ms: number) {
  await db(env)
    .update(schema.mailbox)
    .set({ confirmSentAt: new Date(Date.now() - ms) })
    .where(eq(schema.mailbox.id, mailboxId));
}

async function prospects(user: TestUser, campaignId: string) {
  return ProspectPage.parse(
    await (await api(user.key, "GET", `/api/v1/campaigns/${campaignId}/prospects`)).json(),
  ).items;
}

describe("sending identity through Resend", () => {
  it("registers a domain, refuses to send until it is verified and the address confirmed, then sends", async () => {
    const key = useFakeResend();
    const team = await makeTeam("ident");
    const name = "ident.example.org";

    // Register: Resend's DNS records are kept and shown.
    const domain = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    expect(domain).toMatchObject({ name, status: "not_started" });
    expect(domain.records.map((r) => r.record)).toEqual(expect.arrayContaining(["SPF", "DKIM"]));
    const dkim = domain.records.find((r) => r.record === "DKIM");
    const settings = await html(await page(team.cookie, "/settings/domains"));
    expect(settings).toContain(name);
    expect(settings).toContain(dkim?.value);
    expect(settings).toContain(dkim?.name);
    expect(settings).toContain("Check now");
    expect(settings).toContain("Add domain");

    // A mailbox on it is created but cannot send while the domain is unverified.
    const created = await call(
      Mailbox,
      await api(team.key, "POST", "/api/v1/mailboxes", { address: `jane@${name}`, name: "Jane" }),
      201,
    );
    expect(created.canSend).toBe(false);
    expect(created.problem).toContain(`The domain ${name} is not verified yet`);

    // A campaign stage sending from it ends Failed email_not_synced; nothing reaches Resend.
    const person = z.object({ id: z.string() }).parse(
      await (
        await api(team.key, "POST", "/api/v1/people", {
          firstName: "Pat",
          emails: [{ address: "pat@recipient.example.org", type: "work" }],
        })
      ).json(),
    );
    const campaign = CampaignBody.parse(
      await (
        await api(team.key, "POST", "/api/v1/campaigns", {
          name: "Identity",
          stages: [
            {
              type: "email",
              delayMinutes: 0,
              mailboxId: created.id,
              subject: "Hello {{firstName}}",
              body: "Hi {{firstName}}",
            },
          ],
        })
      ).json(),
    );
    await api(team.key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
      personIds: [person.id],
    });
    await alarmUntil(campaign.id, async () =>
      (await prospects(team, campaign.id)).every((p) => p.status !== "active"),
    );
    expect(await prospects(team, campaign.id)).toMatchObject([
      { personId: person.id, status: "failed", reason: "email_not_synced" },
    ]);
    expect((await fakeStats(fakeUrl, key)).accepted).toBe(0);

    // Check now asks Resend to verify: pending, still no confirmation email.
    const checking = await call(
      Domain,
      await api(team.key, "POST", `/api/v1/domains/${domain.id}/check`),
      200,
    );
    expect(checking.status).toBe("pending");
    expect(await linksTo(key, `jane@${name}`)).toEqual([]);

    // Resend verifies the DNS records; the next check emails the confirmation link.
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    const verified = await call(
      Domain,
      await api(team.key, "POST", `/api/v1/domains/${domain.id}/check`),
      200,
    );
    expect(verified.status).toBe("verified");
    const stats = await fakeStats(fakeUrl, key);
    const confirmation = stats.emails.find((e) => e.to.includes(`jane@${name}`));
    expect(confirmation?.from).toBe(`Beacon <noreply@${name}>`);
    expect(confirmation?.idempotencyKey).toMatch(/^beacon-confirm-/);
    const [link] = await linksTo(key, `jane@${name}`);
    expect(link).toMatch(/^\/mailboxes\/confirm\//);
    const waiting = await mailboxOf(team, created.id);
    expect(waiting).toMatchObject({ canSend: false, confirmedAt: null });
    expect(waiting.problem).toContain(`open the link we emailed to jane@${name}`);

    // Opening the link as a member of the team confirms the address.
    const opened = await page(team.cookie, link);
    expect(opened.status).toBe(200);
    expect(await html(opened)).toContain(`Confirmed jane@${name}`);
    const ready = await mailboxOf(team, created.id);
    expect(ready.canSend).toBe(true);
    expect(ready.confirmedAt).not.toBeNull();
    expect(ready.problem).toBeNull();

    // Retry: the stage now goes out from the confirmed address.
    const retried = await api(
      team.key,
      "POST",
      `/api/v1/campaigns/${campaign.id}/prospects/actions`,
      {
        action: "retry",
        personIds: [person.id],
      },
    );
    expect(retried.status).toBe(200);
    await alarmUntil(campaign.id, async () =>
      (await prospects(team, campaign.id)).every((p) => p.status !== "active"),
    );
    expect(await prospects(team, campaign.id)).toMatchObject([{ status: "complete" }]);
    const after = await fakeStats(fakeUrl, key);
    expect(after.byTo["pat@recipient.example.org"]).toBe(1);
    expect(after.emails.find((e) => e.to.includes("pat@recipient.example.org"))?.from).toBe(
      `Jane <jane@${name}>`,
    );
  });

  it("keeps another team from registering the domain or adding an address on it", async () => {
    const key = useFakeResend();
    const owner = await makeTeam("owns");
    const other = await makeTeam("other");
    const name = "owned.example.org";
    const domain = await call(
      Domain,
      await api(owner.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    await call(Domain, await api(owner.key, "POST", `/api/v1/domains/${domain.id}/check`), 200);

    const again = await call(
      ErrorBody,
      await api(other.key, "POST", "/api/v1/domains", { name }),
      409,
    );
    expect(again.error.message).toBe("This domain belongs to another team.");
    const form = await page(other.cookie, "/settings/domains", { intent: "add", name });
    expect(form.status).toBe(200);
    expect(await html(form)).toContain("This domain belongs to another team.");

    const mailbox = await call(
      ErrorBody,
      await api(other.key, "POST", "/api/v1/mailboxes", { address: `ceo@${name}`, name: "CEO" }),
      409,
    );
    expect(mailbox.error.message).toContain(`The domain ${name} belongs to another team`);
    expect(await linksTo(key, `ceo@${name}`)).toEqual([]);
    expect(
      await db(env).query.mailbox.findFirst({ where: eq(schema.mailbox.teamId, other.teamId) }),
    ).toBeUndefined();
    // The owner's own team sees its domain; the other team sees none.
    const listed = z.object({ items: z.array(Domain) });
    expect((await call(listed, await api(other.key, "GET", "/api/v1/domains"), 200)).items).toEqual(
      [],
    );
    expect(
      (await call(listed, await api(owner.key, "GET", "/api/v1/domains"), 200)).items,
    ).toHaveLength(1);
  });

  it("keeps a mailbox on a domain the team has not added, says where to add it, and picks the domain up", async () => {
    const key = useFakeResend();
    const team = await makeTeam("later");
    const name = "later.example.org";
    const created = await call(
      Mailbox,
      await api(team.key, "POST", "/api/v1/mailboxes", { address: `sam@${name}`, name: "Sam" }),
      201,
    );
    expect(created.canSend).toBe(false);
    expect(created.problem).toMatch(
      new RegExp(`^Add and verify ${name.replaceAll(".", "\\.")} under Settings → Sending domains`),
    );
    const shown = await html(await page(team.cookie, "/mailboxes"));
    expect(shown).toContain("Address not confirmed");
    expect(shown).toContain('href="/settings/domains"');

    const domain = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    expect((await mailboxOf(team, created.id)).problem).toContain("is not verified yet");
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    await call(Domain, await api(team.key, "POST", `/api/v1/domains/${domain.id}/check`), 200);
    expect(await linksTo(key, `sam@${name}`)).toHaveLength(1);
  });

  it("polls a pending domain's status when the page is viewed, and sends the link once verified", async () => {
    const key = useFakeResend();
    const team = await makeTeam("poll");
    const name = "poll.example.org";
    const domain = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    await call(Domain, await api(team.key, "POST", `/api/v1/domains/${domain.id}/check`), 200);
    await call(
      Mailbox,
      await api(team.key, "POST", "/api/v1/mailboxes", { address: `kim@${name}`, name: "Kim" }),
      201,
    );
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    // Fresh status: the page trusts it and does not ask Resend.
    expect(await html(await page(team.cookie, "/settings/domains"))).toContain("Checking DNS");
    await ageDomainCheck(domain.id, 60_000);
    const polled = await html(await page(team.cookie, "/settings/domains"));
    expect(polled).toContain("Verified");
    const listed = z.object({ items: z.array(Domain) });
    expect(
      (await call(listed, await api(team.key, "GET", "/api/v1/domains"), 200)).items,
    ).toMatchObject([{ name, status: "verified" }]);
    expect(await linksTo(key, `kim@${name}`)).toHaveLength(1);
  });

  it("sends signed-out users to sign in and back; resync replaces the link; a link expires after a week", async () => {
    const key = useFakeResend();
    const team = await makeTeam("links");
    const name = "links.example.org";
    const domain = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    await call(Domain, await api(team.key, "POST", `/api/v1/domains/${domain.id}/check`), 200);
    const box = await call(
      Mailbox,
      await api(team.key, "POST", "/api/v1/mailboxes", { address: `lee@${name}`, name: "Lee" }),
      201,
    );
    const [first] = await linksTo(key, `lee@${name}`);
    expect(first).toBeTruthy();

    const signedOut = await page(null, first);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent(first)}`,
    );
    expect((await mailboxOf(team, box.id)).confirmedAt).toBeNull();

    // Resync two minutes later emails a new link; the old one stops working.
    await ageConfirmation(box.id, 2 * 60_000);
    const resynced = await call(
      Mailbox,
      await api(team.key, "POST", `/api/v1/mailboxes/${box.id}/resync`),
      200,
    );
    expect(resynced.canSend).toBe(false);
    const links = await linksTo(key, `lee@${name}`);
    expect(links).toHaveLength(2);
    expect(links[1]).not.toBe(first);
    expect((await page(team.cookie, first)).status).toBe(404);

    // A week later the newest link has expired too.
    await ageConfirmation(box.id, 8 * 24 * 60 * 60_000);
    const expired = await page(team.cookie, links[1]);
    expect(expired.status).toBe(200);
    expect(await html(expired)).toContain("This link has expired");
    expect((await mailboxOf(team, box.id)).confirmedAt).toBeNull();
  });

  it("lets only owners and admins add or remove domains; removing one stops its mailboxes", async () => {
    const key = useFakeResend();
    const team = await makeTeam("roles");
    const member = await addMember(team, "rolesmember", "member");
    const name = "roles.example.org";
    const refused = await call(
      ErrorBody,
      await api(member.key, "POST", "/api/v1/domains", { name }),
      403,
    );
    expect(refused.error.code).toBe("forbidden");

    const domain = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name }),
      201,
    );
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    await call(Domain, await api(member.key, "POST", `/api/v1/domains/${domain.id}/check`), 200);
    const box = await call(
      Mailbox,
      await api(member.key, "POST", "/api/v1/mailboxes", { address: `ro@${name}`, name: "Ro" }),
      201,
    );
    const [link] = await linksTo(key, `ro@${name}`);
    expect((await page(member.cookie, link)).status).toBe(200);
    expect((await mailboxOf(team, box.id)).canSend).toBe(true);

    expect((await api(member.key, "DELETE", `/api/v1/domains/${domain.id}`)).status).toBe(403);
    expect((await api(team.key, "DELETE", `/api/v1/domains/${domain.id}`)).status).toBe(204);
    const stopped = await mailboxOf(team, box.id);
    expect(stopped.canSend).toBe(false);
    expect(stopped.problem).toContain(`Add and verify ${name}`);
    const row = await db(env).query.mailbox.findFirst({ where: eq(schema.mailbox.id, box.id) });
    expect(row?.canSend).toBe(false);
  });

  it("reports an unreachable provider and keeps no half-registered domain", async () => {
    engineHooks.resend = { apiKey: "re_test_unreachable", baseUrl: "http://down.resend.test" };
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).host === "down.resend.test") {
        throw new TypeError("Network connection lost.");
      }
      return real(request);
    });
    const team = await makeTeam("down");
    const res = await call(
      ErrorBody,
      await api(team.key, "POST", "/api/v1/domains", { name: "down.example.org" }),
      502,
    );
    expect(res.error.code).toBe("provider_error");
    expect(res.error.message).toMatch(/^Could not reach the email provider/);
    expect(
      await db(env).query.sendingDomain.findFirst({
        where: eq(schema.sendingDomain.teamId, team.teamId),
      }),
    ).toBeUndefined();
  });

  it("names the field when the domain is not a domain", async () => {
    useFakeResend();
    const team = await makeTeam("badname");
    const res = await call(
      z.object({
        error: z.object({
          code: z.literal("validation_failed"),
          issues: z.array(z.object({ path: z.string(), message: z.string() })),
        }),
      }),
      await api(team.key, "POST", "/api/v1/domains", { name: "https://acme.com" }),
      422,
    );
    expect(res.error.issues[0]).toMatchObject({ path: "name" });
    const form = await page(team.cookie, "/settings/domains", {
      intent: "add",
      name: "jane@acme.com",
    });
    expect(form.status).toBe(200);
    const body = await html(form);
    expect(body).toContain("Enter a domain name such as acme.com");
    expect(body).toContain('value="jane@acme.com"');
  });
});

describe("the local sink (no Resend key)", () => {
  it("lets every mailbox send without a domain or confirmation, and has no domains to register", async () => {
    const team = await makeTeam("sink");
    const box = await call(
      Mailbox,
      await api(team.key, "POST", "/api/v1/mailboxes", {
        address: "any@unverified.example.org",
        name: "Any",
      }),
      201,
    );
    expect(box).toMatchObject({ canSend: true, problem: null, confirmedAt: null });
    const refused = await call(
      ErrorBody,
      await api(team.key, "POST", "/api/v1/domains", { name: "unverified.example.org" }),
      409,
    );
    expect(refused.error.message).toContain("local sink");
    const shown = await html(await page(team.cookie, "/settings/domains"));
    expect(shown).toContain("No email provider is configured");
    expect(shown).not.toContain("Add domain");
  });
});
