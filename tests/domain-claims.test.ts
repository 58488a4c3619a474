/**
 * Domain squatting (issue 11 item 6, ADR 0022) against the fake Resend: a second team can
 * prove DNS for a name another team holds unverified, the first to prove it wins, losers'
 * claims are marked lost and their mailboxes cannot send, unverified claims expire after
 * 72 hours through the Worker's scheduled() handler on the injectable clock.
 */
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "@workers/app";
import { resetClockForTest, setClockForTest } from "@workers/clock";
import { db, schema } from "@workers/db/client";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import { fakeControl } from "./fakes/resend-control";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

const fakeUrl = inject("resendFakeUrl");
const HOUR = 60 * 60_000;

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
  vi.restoreAllMocks();
});

function useFakeResend(): string {
  const key = `re_test_${crypto.randomUUID()}`;
  engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
  return key;
}

const Record = z.object({
  record: z.string(),
  type: z.string(),
  name: z.string(),
  value: z.string(),
});
const Domain = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  records: z.array(Record),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});
type Domain = z.infer<typeof Domain>;
const Listed = z.object({ items: z.array(Domain) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const Mailbox = z.object({ id: z.string(), canSend: z.boolean(), problem: z.string().nullable() });

async function call<T>(schema: z.ZodType<T>, res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return schema.parse(JSON.parse(text));
}

const listDomains = async (user: TestUser) =>
  (await call(Listed, await api(user.key, "GET", "/api/v1/domains"), 200)).items;

async function mailbox(user: TestUser, id: string) {
  const list = await call(
    z.object({ items: z.array(Mailbox) }),
    await api(user.key, "GET", "/api/v1/mailboxes"),
    200,
  );
  return list.items.find((m) => m.id === id);
}

/** The names the fake Resend account has registered. */
async function resendNames(key: string): Promise<string[]> {
  const res = await fetch(new URL("/domains", fakeUrl), {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = z.object({ data: z.array(z.object({ name: z.string() })) }).parse(await res.json());
  return body.data.map((d) => d.name);
}

/**
 * Publishes TXT records on a stand-in for DNS-over-HTTPS: Beacon's lookups of
 * cloudflare-dns.com answer from `published`; everything else goes out as usual.
 */
function fakeDns(): Map<string, string[]> {
  const published = new Map<string, string[]>();
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.host !== "cloudflare-dns.com") return real(request);
    const name = url.searchParams.get("name") ?? "";
    const answers = (published.get(name) ?? []).map((v) => ({
      name,
      type: 16,
      TTL: 60,
      data: `"${v}"`,
    }));
    return Response.json({ Status: 0, Answer: answers });
  });
  return published;
}

function challengeOf(domain: Domain) {
  const [txt] = domain.records;
  expect(txt).toMatchObject({
    record: "Ownership",
    type: "TXT",
    name: `_beacon-challenge.${domain.name}`,
  });
  return txt;
}

describe("two teams racing for one domain", () => {
  it("lets a second team prove DNS for an unverified name; the first to prove it wins and the other claim is lost", async () => {
    const key = useFakeResend();
    const dns = fakeDns();
    const a = await makeTeam("race-a");
    const b = await makeTeam("race-b");
    const name = "race.example.org";

    // A claims first: registered with Resend, unverified, expiring in 72 hours.
    const claimA = await call(Domain, await api(a.key, "POST", "/api/v1/domains", { name }), 201);
    expect(claimA.status).toBe("not_started");
    expect(Date.parse(claimA.expiresAt ?? "") - Date.parse(claimA.createdAt)).toBe(72 * HOUR);
    const dkimA = claimA.records.find((r) => r.record === "DKIM");
    expect(dkimA).toBeDefined();
    const boxA = await call(
      Mailbox,
      await api(a.key, "POST", "/api/v1/mailboxes", { address: `ann@${name}`, name: "Ann" }),
      201,
    );
    expect(boxA.canSend).toBe(false);

    // B may claim it too: it gets a DNS challenge of its own, never A's records.
    const claimB = await call(Domain, await api(b.key, "POST", "/api/v1/domains", { name }), 201);
    expect(claimB.status).toBe("awaiting_proof");
    const txt = challengeOf(claimB);
    expect(JSON.stringify(claimB)).not.toContain(dkimA?.value);

    // Isolation: each team sees only its own claim, and cannot touch the other's.
    expect((await listDomains(a)).map((d) => d.id)).toEqual([claimA.id]);
    const seenByB = await listDomains(b);
    expect(seenByB.map((d) => d.id)).toEqual([claimB.id]);
    expect(JSON.stringify(seenByB)).not.toContain(dkimA?.value);
    expect(JSON.stringify(seenByB)).not.toContain(claimA.id);
    expect((await api(b.key, "POST", `/api/v1/domains/${claimA.id}/check`)).status).toBe(404);
    expect((await api(b.key, "DELETE", `/api/v1/domains/${claimA.id}`)).status).toBe(404);

    const pageB = await html(await page(b.cookie, "/settings/domains"));
    expect(pageB).toContain("Prove DNS ownership");
    expect(pageB).toContain(txt.value);
    expect(pageB).not.toContain(dkimA?.value);

    // Nothing published yet: B's check leaves its claim waiting.
    const waiting = await call(
      Domain,
      await api(b.key, "POST", `/api/v1/domains/${claimB.id}/check`),
      200,
    );
    expect(waiting.status).toBe("awaiting_proof");

    // B publishes its TXT record and checks: it proved DNS first and is registered with Resend.
    dns.set(txt.name, [txt.value]);
    const proved = await call(
      Domain,
      await api(b.key, "POST", `/api/v1/domains/${claimB.id}/check`),
      200,
    );
    expect(proved.status).toBe("not_started");
    expect(proved.records.map((r) => r.record)).toEqual(expect.arrayContaining(["SPF", "DKIM"]));
    expect(await resendNames(key)).toEqual([name]);

    // A's claim is lost, says so, cannot be verified any more, and A's mailbox cannot send.
    const [lostA] = await listDomains(a);
    expect(lostA).toMatchObject({ id: claimA.id, status: "lost", records: [] });
    const refused = await call(
      ErrorBody,
      await api(a.key, "POST", `/api/v1/domains/${claimA.id}/check`),
      409,
    );
    expect(refused.error.message).toContain(
      "Another team proved it controls this domain's DNS first",
    );
    expect(await html(await page(a.cookie, "/settings/domains"))).toContain(
      "Verified by another team",
    );
    const stopped = await mailbox(a, boxA.id);
    expect(stopped?.canSend).toBe(false);
    expect(stopped?.problem).toContain("belongs to another team");

    // B verifies with Resend and holds it for good; A cannot claim it again.
    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    const verified = await call(
      Domain,
      await api(b.key, "POST", `/api/v1/domains/${claimB.id}/check`),
      200,
    );
    expect(verified).toMatchObject({ status: "verified", expiresAt: null });
    const again = await call(ErrorBody, await api(a.key, "POST", "/api/v1/domains", { name }), 409);
    expect(again.error.message).toContain("Remove your lost claim");
    expect((await api(a.key, "DELETE", `/api/v1/domains/${claimA.id}`)).status).toBe(204);
    const owned = await call(ErrorBody, await api(a.key, "POST", "/api/v1/domains", { name }), 409);
    expect(owned.error.message).toBe("This domain belongs to another team.");
    expect(await listDomains(a)).toEqual([]);
    expect((await listDomains(b)).map((d) => [d.id, d.status])).toEqual([[claimB.id, "verified"]]);
  });

  it("makes the challenger's claim lost when the holder verifies first", async () => {
    const key = useFakeResend();
    const dns = fakeDns();
    const a = await makeTeam("first-a");
    const b = await makeTeam("first-b");
    const name = "first.example.org";
    const claimA = await call(Domain, await api(a.key, "POST", "/api/v1/domains", { name }), 201);
    const claimB = await call(Domain, await api(b.key, "POST", "/api/v1/domains", { name }), 201);
    expect(claimB.status).toBe("awaiting_proof");

    await fakeControl(fakeUrl, key, { verifyDomains: [name] });
    const verified = await call(
      Domain,
      await api(a.key, "POST", `/api/v1/domains/${claimA.id}/check`),
      200,
    );
    expect(verified.status).toBe("verified");
    expect((await listDomains(b))[0]).toMatchObject({ id: claimB.id, status: "lost" });

    // Publishing the challenge afterwards changes nothing: the name is A's.
    const txt = challengeOf(claimB);
    dns.set(txt.name, [txt.value]);
    expect((await api(b.key, "POST", `/api/v1/domains/${claimB.id}/check`)).status).toBe(409);
    expect((await listDomains(a))[0]).toMatchObject({ id: claimA.id, status: "verified" });
  });
});

/** One cron tick through the Worker's own scheduled() handler; returns the job's log line. */
async function runCron(): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    const ctx = createExecutionContext();
    const controller = createScheduledController({
      cron: "*/5 * * * *",
      scheduledTime: Date.now(),
    });
    const handler: ExportedHandler<Env> = worker;
    await handler.scheduled?.(controller, env, ctx);
    await waitOnExecutionContext(ctx);
  } finally {
    log.mockRestore();
  }
  const ours = lines.filter((l) => l.startsWith("housekeeping expire-domain-claims:"));
  expect(ours).toHaveLength(1);
  return ours[0];
}

describe("claim expiry", () => {
  it("releases an unverified claim after 72 hours on the cron, keeps one at 71 hours and a verified one forever", async () => {
    const key = useFakeResend();
    const t0 = Date.parse("2031-02-03T10:00:00Z");
    const team = await makeTeam("expiry");
    const other = await makeTeam("expiry-other");

    setClockForTest(t0);
    const old = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name: "old.example.org" }),
      201,
    );
    const kept = await call(
      Domain,
      await api(team.key, "POST", "/api/v1/domains", { name: "proved.example.org" }),
      201,
    );
    await fakeControl(fakeUrl, key, { verifyDomains: ["proved.example.org"] });
    await call(Domain, await api(team.key, "POST", `/api/v1/domains/${kept.id}/check`), 200);
    setClockForTest(t0 + 2 * HOUR);
    const young = await call(
      Domain,
      await api(other.key, "POST", "/api/v1/domains", { name: "young.example.org" }),
      201,
    );

    // 73 hours after the first claims: the old one is 73 h old, the young one 71 h.
    setClockForTest(t0 + 73 * HOUR);
    const line = await runCron();
    expect(line).toContain(old.id);
    expect(line).not.toContain(young.id);
    expect(line).not.toContain(kept.id);

    expect((await listDomains(team)).map((d) => [d.name, d.status])).toEqual([
      ["proved.example.org", "verified"],
    ]);
    expect((await listDomains(other)).map((d) => d.id)).toEqual([young.id]);
    expect((await resendNames(key)).sort()).toEqual(["proved.example.org", "young.example.org"]);
    expect(
      await db(env).query.sendingDomain.findFirst({ where: eq(schema.sendingDomain.id, old.id) }),
    ).toBeUndefined();

    // The name is free again: another team registers it outright.
    const retaken = await call(
      Domain,
      await api(other.key, "POST", "/api/v1/domains", { name: "old.example.org" }),
      201,
    );
    expect(retaken.status).toBe("not_started");

    // Years later the verified claim is still there; the young one has expired by now.
    setClockForTest(t0 + 5 * 365 * 24 * HOUR);
    const later = await runCron();
    expect(later).toContain(young.id);
    expect(later).not.toContain(kept.id);
    expect((await listDomains(team)).map((d) => d.id)).toEqual([kept.id]);
  });
});
