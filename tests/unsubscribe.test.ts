import { env, exports } from "cloudflare:workers";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { type UnsubscribeClaim, unsubscribeToken } from "@workers/core/tokens";
import { db, schema } from "@workers/db/client";
import { and, eq } from "drizzle-orm";
import { getServerByName } from "partyserver";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, CampaignBody, engineTeam, ProspectPage } from "./helpers/engine";

/** A page's visible text: tags dropped, the entities React writes decoded. */
function visible(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, "")
    .replaceAll("&#x27;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ");
}
const text = async (res: Response) => visible(await res.text());

type Team = Awaited<ReturnType<typeof engineTeam>>;

const HOUR = 60 * 60 * 1000;
const INVALID = "This unsubscribe link is not valid";

afterEach(() => resetClockForTest());

const sign = (claim: UnsubscribeClaim, secret = env.AUTH_SECRET) => unsubscribeToken(secret, claim);

/** A GET as a link scanner or a browser makes it: no cookie, no Origin, no Referer. */
function open(token: string) {
  return exports.default.fetch(`http://localhost/u/${token}`, { redirect: "manual" });
}

/** A POST as a mail app makes it for RFC 8058 one-click, or the page's button without JS. */
function post(token: string, body: string) {
  return exports.default.fetch(`http://localhost/u/${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
    redirect: "manual",
  });
}
const oneClick = (token: string) => post(token, "List-Unsubscribe=One-Click");

async function createCampaign(t: Team, name: string, delays: number[]) {
  const res = await t.call("POST", "/api/v1/campaigns", {
    name,
    stages: delays.map((delayMinutes, i) => ({
      type: "email",
      delayMinutes,
      mailboxId: t.mailboxId,
      subject: `Stage ${i + 1} for {{firstName}}`,
      body: "Hi {{firstName}}, a role for you.",
      emailPriority: "personal_first",
    })),
  });
  expect(res.status, res.text).toBe(201);
  return CampaignBody.parse(res.json).id;
}

async function enroll(t: Team, campaignId: string, personIds: string[]) {
  // Deliberately in two campaigns at once: past the collision guard (enroll-conflicts.ts).
  const res = await t.call("POST", `/api/v1/campaigns/${campaignId}/prospects`, {
    personIds,
    force: true,
  });
  expect(res.status, res.text).toBe(200);
  return z
    .object({
      enrolled: z.number(),
      refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
    })
    .parse(res.json);
}

async function prospect(t: Team, campaignId: string, personId: string) {
  const res = await t.call("GET", `/api/v1/campaigns/${campaignId}/prospects?limit=500`);
  expect(res.status, res.text).toBe(200);
  return ProspectPage.parse(res.json).items.find((p) => p.personId === personId);
}

async function statusOf(t: Team, campaignId: string, personId: string) {
  const p = await prospect(t, campaignId, personId);
  return p ? { status: p.status, reason: p.reason } : null;
}

async function suppressionOf(teamId: string) {
  const rows = await db(env)
    .select()
    .from(schema.suppression)
    .where(eq(schema.suppression.teamId, teamId));
  return rows.map((r) => ({ normalized: r.normalized, personId: r.personId, reason: r.reason }));
}

async function sentTo(address: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM sink_message WHERE "to" = ?')
    .bind(address)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function mirrorCampaigns(teamId: string, personId: string) {
  const rows = await db(env)
    .select({ campaignId: schema.campaignMember.campaignId })
    .from(schema.campaignMember)
    .where(
      and(eq(schema.campaignMember.teamId, teamId), eq(schema.campaignMember.personId, personId)),
    );
  return rows.map((r) => r.campaignId).sort();
}

/**
 * Team A: Ann (two addresses) Active in two campaigns — she got stage 1 of `c1` and waits
 * for stage 2; `c2` has not written to her yet — and Zed in `c2`. Team B: another person
 * at Ann's address, Active in a campaign of B's.
 */
async function twoTeams(label: string) {
  const domain = `${label}.example.org`;
  const address = `Ann.Lee@${label.toUpperCase()}.example.org`;
  const a = await engineTeam(`${label}-a`);
  const b = await engineTeam(`${label}-b`);
  const [ann, zed] = await a.people([
    {
      firstName: "Ann",
      lastName: "Lee",
      emails: [
        { address, type: "personal" },
        { address: `ann@work.${domain}`, type: "work" },
      ],
    },
    { firstName: "Zed", emails: [{ address: `zed@${domain}`, type: "personal" }] },
  ]);
  const [annB] = await b.people([
    { firstName: "Ann", emails: [{ address: `ann.lee@${domain}`, type: "personal" }] },
  ]);
  const c1 = await createCampaign(a, "Backend", [0, 24 * 60]);
  const c2 = await createCampaign(a, "Platform", [60]);
  const cb = await createCampaign(b, "B's campaign", [60]);
  expect((await enroll(a, c1, [ann])).enrolled).toBe(1);
  expect((await enroll(a, c2, [ann, zed])).enrolled).toBe(2);
  expect((await enroll(b, cb, [annB])).enrolled).toBe(1);
  await alarmUntil(c1, async () => (await prospect(a, c1, ann))?.stageIndex === 1);
  expect(await sentTo(address)).toBe(1);
  const token = await sign({ t: a.teamId, p: ann, c: c1, e: address });
  return { a, b, ann, zed, annB, c1, c2, cb, token, address, domain };
}

type World = Awaited<ReturnType<typeof twoTeams>>;

/** Everything an unsubscribe could change, for "nothing changed" comparisons. */
async function snapshot(w: World) {
  return {
    annC1: await statusOf(w.a, w.c1, w.ann),
    annC2: await statusOf(w.a, w.c2, w.ann),
    zed: await statusOf(w.a, w.c2, w.zed),
    annB: await statusOf(w.b, w.cb, w.annB),
    suppressedA: await suppressionOf(w.a.teamId),
    suppressedB: await suppressionOf(w.b.teamId),
  };
}

const untouched = {
  annC1: { status: "active", reason: undefined },
  annC2: { status: "active", reason: undefined },
  zed: { status: "active", reason: undefined },
  annB: { status: "active", reason: undefined },
  suppressedA: [],
  suppressedB: [],
};

describe("unsubscribe links (/u/<token>)", () => {
  it("GET shows the confirmation page and changes nothing; a POST without the one-click body changes nothing either", async () => {
    const w = await twoTeams("unsub-get");
    const res = await open(w.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const raw = await res.text();
    const page = visible(raw);
    expect(page).toContain(`Unsubscribe ${w.address} from unsub-get-a team's emails?`);
    expect(raw).toMatch(
      /<form method="post"[^>]*>\s*<button type="submit" name="intent" value="unsubscribe"/,
    );
    expect(page).not.toContain("You're unsubscribed");
    // The signed-in app's shell is not on a public page.
    expect(raw).not.toContain('class="sidebar"');
    expect(await open(w.token).then((r) => r.status)).toBe(200);
    expect(await snapshot(w)).toEqual(untouched);

    const empty = await post(w.token, "");
    expect(empty.status).toBe(400);
    expect(await text(empty)).toContain("Nothing was changed yet");
    const wrongValue = await post(w.token, "List-Unsubscribe=Yes");
    expect(wrongValue.status).toBe(400);
    expect(await snapshot(w)).toEqual(untouched);
  });

  it("one-click POST with no cookie or Origin answers 200 and makes the person Unsubscribed in every campaign of the team; a second POST answers the same", async () => {
    const w = await twoTeams("unsub-post");
    // Both campaigns are found through the D1 mirror, not only the token's campaign.
    expect(await mirrorCampaigns(w.a.teamId, w.ann)).toEqual([w.c1, w.c2].sort());

    const res = await oneClick(w.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Location")).toBeNull();
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const page = await text(res);
    expect(page).toContain("You're unsubscribed");
    expect(page).toContain(w.address);

    const unsubscribed = { status: "unsubscribed", reason: "unsubscribed" };
    const suppressedA = [
      { normalized: `ann.lee@${w.domain}`, personId: w.ann, reason: "unsubscribed" },
      { normalized: `ann@work.${w.domain}`, personId: w.ann, reason: "unsubscribed" },
    ];
    const after = {
      ...untouched,
      annC1: unsubscribed,
      annC2: unsubscribed,
      suppressedA,
    };
    const sorted = async () => {
      const s = await snapshot(w);
      s.suppressedA.sort((x, y) => x.normalized.localeCompare(y.normalized));
      return s;
    };
    expect(await sorted()).toEqual(after);

    const history = await (await getServerByName(env.Campaign, w.c2)).outreach(w.ann);
    expect(history?.history.at(-1)).toMatchObject({
      actor: "system:unsubscribe",
      toStatus: "unsubscribed",
      reason: "unsubscribed",
      detail: `${w.address} unsubscribed with one click in their mail app`,
    });
    const entries = history?.history.length;

    const again = await oneClick(w.token);
    expect(again.status).toBe(200);
    expect(await text(again)).toContain("You're unsubscribed");
    expect(await sorted()).toEqual(after);
    const historyAgain = await (await getServerByName(env.Campaign, w.c2)).outreach(w.ann);
    expect(historyAgain?.history.length).toBe(entries);

    // The GET after the fact still only asks, and still changes nothing.
    expect((await open(w.token)).status).toBe(200);
    expect(await sorted()).toEqual(after);
  });

  it("after an unsubscribe, enrollment is refused and the pipeline never sends to a suppressed address, even one a profile gains later", async () => {
    const w = await twoTeams("unsub-later");
    expect((await oneClick(w.token)).status).toBe(200);

    // Ann herself, and a new person of team A at one of her addresses (another spelling).
    const [twin] = await w.a.people([
      { firstName: "Twin", emails: [{ address: `ANN@work.${w.domain}`, type: "personal" }] },
    ]);
    const c3 = await createCampaign(w.a, "Later", [0]);
    const refused = await enroll(w.a, c3, [w.ann, twin]);
    expect(refused.enrolled).toBe(0);
    expect(refused.refused).toEqual([
      { personId: w.ann, reason: "unsubscribed" },
      { personId: twin, reason: "unsubscribed" },
    ]);
    // Team B's person at the same address is not suppressed.
    const cb2 = await createCampaign(w.b, "B again", [60]);
    expect(await enroll(w.b, cb2, [w.annB])).toEqual({ enrolled: 1, refused: [] });

    // Zed, already in c2, gains Ann's address (a +tag variant) before his stage is due.
    const gained = `ANN.LEE+jobs@${w.domain}`;
    const patched = await w.a.call("PATCH", `/api/v1/people/${w.zed}`, {
      emails: [{ address: gained, type: "personal" }],
    });
    expect(patched.status, patched.text).toBe(200);
    setClockForTest(clock.now() + 2 * HOUR);
    await alarmUntil(w.c2, async () => (await statusOf(w.a, w.c2, w.zed))?.status !== "active");
    expect(await statusOf(w.a, w.c2, w.zed)).toEqual({
      status: "unsubscribed",
      reason: "unsubscribed",
    });
    expect(await sentTo(gained)).toBe(0);
    expect(await sentTo(`zed@${w.domain}`)).toBe(0);
  });

  it("forged, other-secret, tampered and malformed tokens answer a 404 page and change nothing", async () => {
    const w = await twoTeams("unsub-forged");
    const [body, mac] = w.token.split(".");
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`;
    const tokenB = await sign({ t: w.b.teamId, p: w.annB, c: w.cb, e: `ann.lee@${w.domain}` });
    const claimBInA = { t: w.a.teamId, p: w.annB, c: w.c1, e: `ann.lee@${w.domain}` };
    const bad: Record<string, string> = {
      "altered MAC": `${body}.${flip(mac)}`,
      "altered claim": `${flip(body)}.${mac}`,
      "another secret": await sign(
        { t: w.a.teamId, p: w.ann, c: w.c1, e: w.address },
        "another-secret-of-32-characters-at-least",
      ),
      "team B's claim with team A's MAC": `${tokenB.split(".")[0]}.${mac}`,
      "B's person in a claim with A's MAC": `${(await sign(claimBInA)).split(".")[0]}.${mac}`,
      "genuine MAC, B's person in team A": await sign(claimBInA),
      "genuine MAC, no such team": await sign({
        t: "no-such-team",
        p: w.ann,
        c: w.c1,
        e: w.address,
      }),
      "genuine MAC, no such person": await sign({
        t: w.a.teamId,
        p: crypto.randomUUID(),
        c: w.c1,
        e: w.address,
      }),
      "no MAC": body,
      "three parts": `${w.token}.x`,
      garbage: "%E2%9C%93not-a-token",
      "too long": "a".repeat(3000),
    };
    for (const [what, token] of Object.entries(bad)) {
      for (const res of [await open(token), await oneClick(token), await post(token, "")]) {
        expect(res.status, what).toBe(404);
        expect(res.headers.get("Location"), what).toBeNull();
        const page = await text(res);
        expect(page, what).toContain(INVALID);
        expect(page, what).not.toContain("You're unsubscribed");
      }
    }
    expect(await snapshot(w)).toEqual(untouched);
  });

  it("the page's button unsubscribes too, including from the token's campaign when the D1 mirror has not caught up", async () => {
    const t = await engineTeam("unsub-button");
    const [kim] = await t.people([
      { firstName: "Kim", emails: [{ address: "kim@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, "Mirror lag", [60]);
    await enroll(t, c, [kim]);
    // As if the campaign's D1 mirror had not been written yet.
    await env.DB.prepare("DELETE FROM campaign_member WHERE campaign_id = ? AND person_id = ?")
      .bind(c, kim)
      .run();
    expect(await mirrorCampaigns(t.teamId, kim)).toEqual([]);

    const token = await sign({ t: t.teamId, p: kim, c, e: "kim@example.org" });
    const res = await post(token, "intent=unsubscribe");
    expect(res.status).toBe(200);
    expect(await text(res)).toContain("You're unsubscribed");
    expect(await statusOf(t, c, kim)).toEqual({ status: "unsubscribed", reason: "unsubscribed" });
    const history = await (await getServerByName(env.Campaign, c)).outreach(kim);
    expect(history?.history.at(-1)?.detail).toBe(
      "kim@example.org unsubscribed on the unsubscribe page",
    );
    expect(await suppressionOf(t.teamId)).toEqual([
      { normalized: "kim@example.org", personId: kim, reason: "unsubscribed" },
    ]);
  });

  it("a person deleted after being mailed can still unsubscribe the address they were mailed at", async () => {
    const t = await engineTeam("unsub-deleted");
    const [dee] = await t.people([
      { firstName: "Dee", emails: [{ address: "Dee@Example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, "Once", [0]);
    await enroll(t, c, [dee]);
    await alarmUntil(c, async () => {
      const logged = await db(env).query.emailLog.findFirst({
        where: and(eq(schema.emailLog.personId, dee), eq(schema.emailLog.status, "sent")),
      });
      return logged !== undefined;
    });
    const token = await sign({ t: t.teamId, p: dee, c, e: "Dee@Example.org" });
    expect((await t.call("DELETE", `/api/v1/people/${dee}`)).status).toBe(204);

    const page = await open(token);
    expect(page.status).toBe(200);
    expect(await text(page)).toContain("Unsubscribe Dee@Example.org from");
    const res = await oneClick(token);
    expect(res.status).toBe(200);
    expect(await suppressionOf(t.teamId)).toEqual([
      { normalized: "dee@example.org", personId: dee, reason: "unsubscribed" },
    ]);
    // Added again later under a new id, they are still never enrolled.
    const [again] = await t.people([
      { firstName: "Dee", emails: [{ address: "dee@example.org", type: "work" }] },
    ]);
    const c2 = await createCampaign(t, "Twice", [0]);
    expect(await enroll(t, c2, [again])).toEqual({
      enrolled: 0,
      refused: [{ personId: again, reason: "unsubscribed" }],
    });
  });
});
