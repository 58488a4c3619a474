/**
 * Team isolation (issue 2): team A's API key and session, given team B's ids, get 404 from
 * every route that takes an id, and team B's data stays exactly as it was. The route lists
 * are read from the API router and the Remix build, so a new route with an id fails here
 * until it has a case below.
 */
import { env } from "cloudflare:workers";
import * as build from "virtual:remix-build";
import { api as apiRouter } from "@workers/api/index";
import { hashApiKey } from "@workers/auth/api-keys";
import { hashConfirmToken, newConfirmToken } from "@workers/data/confirmation-email";
import { createMailbox } from "@workers/data/mailboxes";
import { db, schema } from "@workers/db/client";
import { engineHooks } from "@workers/testing/hooks";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, EmailLogPage, ProspectPage } from "./helpers/engine";
import { addMember, api, makeTeam, page, type TestUser } from "./helpers/teams";
import { deliver } from "./inbound/helpers";

type World = {
  a: TestUser;
  b: TestUser;
  bMember: TestUser;
  aMailboxId: string;
  aCampaignId: string;
  personId: string;
  mailboxId: string;
  jobId: string;
  keyId: string;
  invitationId: string;
  campaignId: string;
  waitingMessageId: string;
  sentMessageId: string;
  domainId: string;
  confirmToken: string;
  unmatchedMailId: string;
};
let w: World;

const Id = z.object({ id: z.string() });

async function json(res: Response): Promise<unknown> {
  if (res.status >= 300) throw new Error(`${res.status}: ${await res.text()}`);
  return res.json();
}

function emailStage(mailboxId: string, delayMinutes: number) {
  return {
    type: "email",
    delayMinutes,
    mailboxId,
    subject: "Hello {{firstName}}",
    body: "Hi {{firstName}}",
    emailPriority: "work_first",
  };
}

beforeAll(async () => {
  // Hundreds of API calls in a few milliseconds, about isolation, not rate limits.
  engineHooks.apiRateLimits = false;
  const a = await makeTeam("teama");
  const b = await makeTeam("teamb");
  const bMember = await addMember(b, "teambmember", "member");

  const aMailbox = await createMailbox(env, a, { address: "out@teama.test", name: "A" });
  const mailbox = await createMailbox(env, b, { address: "out@teamb.test", name: "B" });
  if (!aMailbox.ok || !mailbox.ok) throw new Error("mailboxes");
  const aCampaign = Id.parse(
    await json(
      await api(a.key, "POST", "/api/v1/campaigns", {
        name: "A's own",
        status: "draft",
        stages: [emailStage(aMailbox.mailbox.id, 0)],
      }),
    ),
  );

  const person = Id.parse(
    await json(
      await api(b.key, "POST", "/api/v1/people", {
        firstName: "Bea",
        lastName: "Private",
        emails: [{ address: "bea@teamb.test", type: "work" }],
      }),
    ),
  );
  const job = Id.parse(
    await json(await api(b.key, "POST", "/api/v1/jobs", { title: "B's job", stages: ["One"] })),
  );
  const campaign = Id.parse(
    await json(
      await api(b.key, "POST", "/api/v1/campaigns", {
        name: "B's campaign",
        stages: [emailStage(mailbox.mailbox.id, 0), emailStage(mailbox.mailbox.id, 1440)],
      }),
    ),
  );
  await json(
    await api(b.key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
      personIds: [person.id],
    }),
  );
  await alarmUntil(campaign.id, async () => {
    const res = await api(b.key, "GET", `/api/v1/campaigns/${campaign.id}/prospects`);
    return ProspectPage.parse(await res.json()).items[0]?.stageIndex === 1;
  });
  const log = EmailLogPage.parse(
    await json(await api(b.key, "GET", `/api/v1/email-log?campaignId=${campaign.id}`)),
  ).items;
  const waiting = log.find((m) => m.status === "waiting");
  const sent = log.find((m) => m.status === "sent");

  // Team B's sending domain and a pending confirmation link for its mailbox, written as
  // Resend and the confirmation email would leave them (this file runs on the sink).
  const domainId = crypto.randomUUID();
  await db(env)
    .insert(schema.sendingDomain)
    .values({
      id: domainId,
      teamId: b.teamId,
      name: "teamb.test",
      resendId: `resend-${domainId}`,
      status: "pending",
      checkedAt: new Date(),
    });
  const confirmToken = newConfirmToken();
  await db(env)
    .update(schema.mailbox)
    .set({ confirmTokenHash: await hashConfirmToken(confirmToken), confirmSentAt: new Date() })
    .where(eq(schema.mailbox.id, mailbox.mailbox.id));

  const key = await db(env).query.apiKey.findFirst({
    where: eq(schema.apiKey.keyHash, await hashApiKey(b.key)),
  });
  const invite = await page(b.cookie, "/settings/members", {
    intent: "invite",
    email: "pending@teamb.test",
    role: "member",
  });
  const invitationId = /\/invite\/([\w-]+)/.exec(await invite.text())?.[1];
  // Mail at team B's sync address that matched nothing: kept, with its raw message, for B's admins.
  const sync = mailbox.mailbox.syncAddress ?? "";
  await deliver(
    [
      "From: stranger@nowhere.example",
      `To: ${sync}`,
      "Subject: Team B's unmatched mail",
      `Message-ID: <${crypto.randomUUID()}@nowhere.example>`,
      "",
      "Who is this?",
      "",
    ].join("\r\n"),
    { from: "stranger@nowhere.example", to: sync },
  );
  const unmatched = await db(env).query.inboundMail.findFirst({
    where: eq(schema.inboundMail.teamId, b.teamId),
  });
  if (!key || !invitationId || !waiting || !sent || !unmatched?.rawKey) {
    throw new Error("team B's fixtures");
  }
  w = {
    a,
    b,
    bMember,
    aMailboxId: aMailbox.mailbox.id,
    aCampaignId: aCampaign.id,
    personId: person.id,
    mailboxId: mailbox.mailbox.id,
    jobId: job.id,
    keyId: key.id,
    invitationId,
    campaignId: campaign.id,
    waitingMessageId: waiting.id,
    sentMessageId: sent.id,
    domainId,
    confirmToken,
    unmatchedMailId: unmatched.id,
  };
});

/** Everything of team B that a stray request could change, and team A's campaign count. */
async function state() {
  const d = db(env);
  const asB = async (path: string) => (await api(w.b.key, "GET", path)).json();
  return {
    person: await asB(`/api/v1/people/${w.personId}`),
    campaign: await asB(`/api/v1/campaigns/${w.campaignId}`),
    prospects: await asB(`/api/v1/campaigns/${w.campaignId}/prospects`),
    emailLog: await asB(`/api/v1/email-log?campaignId=${w.campaignId}`),
    campaigns: await asB("/api/v1/campaigns"),
    mailbox: await d.query.mailbox.findFirst({ where: eq(schema.mailbox.id, w.mailboxId) }),
    key: await d.query.apiKey.findFirst({ where: eq(schema.apiKey.id, w.keyId) }),
    domain: await d.query.sendingDomain.findFirst({
      where: eq(schema.sendingDomain.id, w.domainId),
    }),
    members: await d.query.member.findMany({ where: eq(schema.member.organizationId, w.b.teamId) }),
    invitation: await d.query.invitation.findFirst({
      where: eq(schema.invitation.id, w.invitationId),
    }),
    inboundMail: await d.query.inboundMail.findMany({
      where: eq(schema.inboundMail.teamId, w.b.teamId),
    }),
    teamACampaigns: (
      await d.query.campaign.findMany({ where: eq(schema.campaign.teamId, w.a.teamId) })
    ).length,
  };
}

type ApiCase = {
  path: () => string;
  body?: () => unknown;
  /** Team B's own key runs it too, proving the route exists (only for harmless calls). */
  control?: boolean;
};

const campaignPath =
  (rest = "") =>
  () =>
    `/api/v1/campaigns/${w.campaignId}${rest}`;

/** One case per JSON API route with an id, keyed "METHOD /pattern" as the router lists it. */
const API_CASES: Record<string, ApiCase> = {
  "GET /api/v1/people/:id": { path: () => `/api/v1/people/${w.personId}`, control: true },
  "PATCH /api/v1/people/:id": {
    path: () => `/api/v1/people/${w.personId}`,
    body: () => ({ firstName: "Hijacked" }),
  },
  "DELETE /api/v1/people/:id": { path: () => `/api/v1/people/${w.personId}` },
  "POST /api/v1/mailboxes/:id/resync": {
    path: () => `/api/v1/mailboxes/${w.mailboxId}/resync`,
    control: true,
  },
  "GET /api/v1/campaigns/:id": { path: campaignPath(), control: true },
  "PATCH /api/v1/campaigns/:id": {
    path: campaignPath(),
    body: () => ({ version: 1, name: "Hijacked" }),
  },
  "POST /api/v1/campaigns/:id/activate": { path: campaignPath("/activate") },
  "POST /api/v1/campaigns/:id/disable": { path: campaignPath("/disable") },
  "POST /api/v1/campaigns/:id/duplicate": { path: campaignPath("/duplicate") },
  "GET /api/v1/campaigns/:id/metrics": { path: campaignPath("/metrics"), control: true },
  "GET /api/v1/campaigns/:id/metrics.csv": { path: campaignPath("/metrics.csv"), control: true },
  "POST /api/v1/campaigns/:id/prospects": {
    path: campaignPath("/prospects"),
    body: () => ({ personIds: [w.personId] }),
  },
  "GET /api/v1/campaigns/:id/prospects": { path: campaignPath("/prospects"), control: true },
  "POST /api/v1/campaigns/:id/prospects/actions": {
    path: campaignPath("/prospects/actions"),
    body: () => ({ action: "pause", personIds: [w.personId] }),
  },
  "GET /api/v1/campaigns/:id/prospects.csv": {
    path: campaignPath("/prospects.csv"),
    control: true,
  },
  // Team B's own key gets 409 here: this file runs on the sink, with no provider to ask.
  "POST /api/v1/domains/:id/check": { path: () => `/api/v1/domains/${w.domainId}/check` },
  "DELETE /api/v1/domains/:id": { path: () => `/api/v1/domains/${w.domainId}` },
  "POST /api/v1/email-log/:id/cancel": {
    path: () => `/api/v1/email-log/${w.waitingMessageId}/cancel`,
  },
  "POST /api/v1/email-log/:id/retry": { path: () => `/api/v1/email-log/${w.sentMessageId}/retry` },
};

const NotFoundBody = z.object({ error: z.object({ code: z.literal("not_found") }) });

describe("JSON API: team A's key with team B's ids", () => {
  it("has a case for every route that takes an id", () => {
    const withIds = apiRouter.list().filter((r) => r.includes("/:"));
    expect(withIds.length).toBeGreaterThan(0);
    const missing = withIds.filter((r) => !(r in API_CASES));
    expect(missing, `add isolation cases for: ${missing.join(", ")}`).toEqual([]);
  });

  for (const [route, c] of Object.entries(API_CASES)) {
    it(`${route} → 404, nothing changes`, async () => {
      const [method] = route.split(" ");
      const before = await state();
      const res = await api(w.a.key, method, c.path(), c.body?.());
      expect(res.status).toBe(404);
      NotFoundBody.parse(await res.json());
      expect(await state()).toEqual(before);
      if (c.control) {
        const own = await api(w.b.key, method, c.path(), c.body?.());
        expect(own.status, "team B's own key reaches the same route").toBe(200);
      }
    });
  }
});

describe("JSON API: team B's ids inside team A's requests", () => {
  it("a campaign cannot send from team B's mailbox", async () => {
    const before = await state();
    const res = await api(w.a.key, "POST", "/api/v1/campaigns", {
      name: "Borrowed mailbox",
      status: "draft",
      stages: [emailStage(w.mailboxId, 0)],
    });
    expect([404, 422]).toContain(res.status);
    expect(await res.text()).toContain("stages.0.mailboxId");
    expect(await state()).toEqual(before);
  });

  it("a campaign cannot use team B's job", async () => {
    const before = await state();
    const res = await api(w.a.key, "POST", "/api/v1/campaigns", {
      name: "Borrowed job",
      status: "draft",
      jobId: w.jobId,
      stages: [emailStage(w.aMailboxId, 0)],
    });
    expect([404, 422]).toContain(res.status);
    expect(await res.text()).toContain("jobId");
    expect(await state()).toEqual(before);
  });

  it("enrolling team B's person in team A's campaign is refused as not_found", async () => {
    const res = await api(w.a.key, "POST", `/api/v1/campaigns/${w.aCampaignId}/prospects`, {
      personIds: [w.personId],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      enrolled: 0,
      refused: [{ personId: w.personId, reason: "not_found" }],
    });
  });

  it("an action on team B's person in team A's campaign is 404", async () => {
    const before = await state();
    const res = await api(w.a.key, "POST", `/api/v1/campaigns/${w.aCampaignId}/prospects/actions`, {
      action: "pause",
      personIds: [w.personId],
    });
    expect(res.status).toBe(404);
    expect(await state()).toEqual(before);
  });
});

type PageCase = {
  /** The Remix route pattern this exercises when the id is in the path. */
  pattern?: string;
  path: () => string;
  form?: () => Record<string, string>;
  control?: boolean;
};

/** Loaders and actions that take an id (in the path or the form), given team B's ids. */
const PAGE_CASES: Record<string, PageCase> = {
  "GET /people/:id": { pattern: "people/:id", path: () => `/people/${w.personId}`, control: true },
  "POST /people/:id (edit)": {
    pattern: "people/:id",
    path: () => `/people/${w.personId}`,
    form: () => ({ firstName: "Hijacked", lastName: "" }),
  },
  "POST /people/:id (delete)": {
    pattern: "people/:id",
    path: () => `/people/${w.personId}`,
    form: () => ({ intent: "delete" }),
  },
  "GET /campaigns/:id": {
    pattern: "campaigns/:id",
    path: () => `/campaigns/${w.campaignId}`,
    control: true,
  },
  "POST /campaigns/:id (disable)": {
    pattern: "campaigns/:id",
    path: () => `/campaigns/${w.campaignId}`,
    form: () => ({ intent: "disable" }),
  },
  "POST /campaigns/:id (bulk pause)": {
    pattern: "campaigns/:id",
    path: () => `/campaigns/${w.campaignId}`,
    form: () => ({ intent: "bulk", action: "pause", scope: "all" }),
  },
  "POST /campaigns/:id (move into team B's campaign)": {
    path: () => `/campaigns/${w.aCampaignId}`,
    form: () => ({ intent: "bulk", action: "add_to", scope: "all", toCampaignId: w.campaignId }),
  },
  "GET /campaigns/:id/edit": {
    pattern: "campaigns/:id/edit",
    path: () => `/campaigns/${w.campaignId}/edit`,
    control: true,
  },
  "POST /campaigns/:id/edit (save)": {
    pattern: "campaigns/:id/edit",
    path: () => `/campaigns/${w.campaignId}/edit`,
    form: () => ({ intent: "save", version: "1", base: "{}", name: "Hijacked" }),
  },
  "GET /campaigns/:id/prospects.csv": {
    pattern: "campaigns/:id/prospects.csv",
    path: () => `/campaigns/${w.campaignId}/prospects.csv`,
    control: true,
  },
  "POST /people/:id/outreach (pause)": {
    pattern: "people/:id/outreach",
    path: () => `/people/${w.personId}/outreach`,
    form: () => ({ intent: "act", campaignId: w.campaignId, action: "pause" }),
  },
  "POST /email-log (cancel)": {
    path: () => "/email-log",
    form: () => ({ intent: "cancel", messageId: w.waitingMessageId }),
  },
  "POST /email-log (retry)": {
    path: () => "/email-log",
    form: () => ({ intent: "retry", messageId: w.sentMessageId }),
  },
  "POST /email-log (simulate reply)": {
    path: () => "/email-log",
    form: () => ({ intent: "simulate", messageId: w.sentMessageId, kind: "reply" }),
  },
  "GET /settings/unmatched-mail/:id/raw": {
    pattern: "unmatched-mail/:id/raw",
    path: () => `/settings/unmatched-mail/${w.unmatchedMailId}/raw`,
    control: true,
  },
  "POST /mailboxes (resync)": {
    path: () => "/mailboxes",
    form: () => ({ intent: "resync", mailboxId: w.mailboxId }),
  },
  "GET /mailboxes/confirm/:token": {
    pattern: "mailboxes/confirm/:token",
    path: () => `/mailboxes/confirm/${w.confirmToken}`,
  },
  "POST /settings/domains (check)": {
    path: () => "/settings/domains",
    form: () => ({ intent: "check", domainId: w.domainId }),
  },
  "POST /settings/domains (remove)": {
    path: () => "/settings/domains",
    form: () => ({ intent: "remove", domainId: w.domainId }),
  },
  "POST /settings/api-keys (revoke)": {
    path: () => "/settings/api-keys",
    form: () => ({ intent: "revoke", keyId: w.keyId }),
  },
  "POST /settings/members (change role)": {
    path: () => "/settings/members",
    form: () => ({ intent: "role", memberId: w.bMember.memberId, role: "admin" }),
  },
  "POST /settings/members (remove)": {
    path: () => "/settings/members",
    form: () => ({ intent: "remove", id: w.bMember.memberId }),
  },
  "POST /settings/members (cancel invitation)": {
    path: () => "/settings/members",
    form: () => ({ intent: "cancel", id: w.invitationId }),
  },
};

/**
 * Page routes with an id in the path that are open by design. An invitation link shows
 * whoever holds it the team's name and the invited address; only that address can accept
 * (tested below). An unsubscribe link needs no session: its signed token names team and
 * person, and forged or other-team tokens are refused in tests/unsubscribe.test.ts.
 */
const OPEN_BY_DESIGN = new Set(["invite/:id", "u/:token"]);

describe("pages: team A's session with team B's ids", () => {
  it("has a case for every page route with an id in its path", () => {
    const withIds = Object.values(build.routes)
      .map((r) => r?.path)
      .filter((p): p is string => typeof p === "string" && p.includes(":"));
    const covered = new Set(Object.values(PAGE_CASES).map((c) => c.pattern));
    const missing = withIds.filter((p) => !covered.has(p) && !OPEN_BY_DESIGN.has(p));
    expect(missing, `add isolation cases for: ${missing.join(", ")}`).toEqual([]);
  });

  for (const [name, c] of Object.entries(PAGE_CASES)) {
    it(`${name} → 404, nothing changes`, async () => {
      const before = await state();
      const res = await page(w.a.cookie, c.path(), c.form?.());
      expect(res.status).toBe(404);
      expect(await state()).toEqual(before);
      if (c.control) {
        const own = await page(w.b.cookie, c.path(), c.form?.());
        expect(own.status, "team B's own session reaches the same page").toBe(200);
      }
    });
  }

  it("POST /invite/:id of team B's invitation does not let team A's user in", async () => {
    const before = await state();
    const res = await page(w.a.cookie, `/invite/${w.invitationId}`, {});
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/not the recipient/i);
    expect(await state()).toEqual(before);
  });

  it("team B's own session can do what team A was refused", async () => {
    const confirmed = await page(w.b.cookie, `/mailboxes/confirm/${w.confirmToken}`);
    expect(confirmed.status).toBe(200);
    const box = await db(env).query.mailbox.findFirst({
      where: eq(schema.mailbox.id, w.mailboxId),
    });
    expect(box?.confirmedAt).not.toBeNull();
    // On the sink there is no provider to ask, which is not a 404.
    const check = await api(w.b.key, "POST", `/api/v1/domains/${w.domainId}/check`);
    expect(check.status).toBe(409);
    const role = await page(w.b.cookie, "/settings/members", {
      intent: "role",
      memberId: w.bMember.memberId,
      role: "admin",
    });
    expect(role.status).toBe(200);
    const row = await db(env).query.member.findFirst({
      where: eq(schema.member.id, w.bMember.memberId),
    });
    expect(row?.role).toBe("admin");
    const revoke = await page(w.b.cookie, "/settings/api-keys", {
      intent: "revoke",
      keyId: w.keyId,
    });
    expect(revoke.status).toBe(302);
    expect((await api(w.b.key, "GET", "/api/v1/jobs")).status).toBe(401);
  });
});
