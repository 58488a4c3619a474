import { env } from "cloudflare:workers";
import { db, schema } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, type EngineTeam, engineTeam, ProspectPage } from "./helpers/engine";
import { addMember, api, html, page, type TestUser } from "./helpers/teams";

/*
 * The enroll collision guard through POST /api/v1/campaigns/:id/prospects (DESIGN.md §3):
 * someone still going in another campaign of the team, or emailed by a teammate within the
 * team's `recentlyEmailedDays`, is listed as a conflict and not enrolled unless `force`.
 */

const Conflict = z.object({
  personId: z.string(),
  campaignId: z.string(),
  kind: z.enum(["active_elsewhere", "recently_emailed"]),
  by: z.string().optional(),
  at: z.string().optional(),
});
const EnrollAnswer = z.object({
  enrolled: z.number(),
  enrolledIds: z.array(z.string()),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
  conflicts: z.array(Conflict),
});
const Created = z.object({ id: z.string() });

let t: EngineTeam;
let mate: TestUser;
let other: EngineTeam;

beforeAll(async () => {
  t = await engineTeam("conflicts");
  mate = await addMember(t, "mate", "member");
  other = await engineTeam("elsewhere");
});

/** A campaign of `team` whose only email waits `delayMinutes` (a day: people stay Active). */
async function campaign(
  team: { key: string; mailboxId: string },
  name: string,
  delayMinutes = 1440,
  key = team.key,
) {
  const res = await api(key, "POST", "/api/v1/campaigns", {
    name,
    stages: [
      {
        type: "email",
        delayMinutes,
        mailboxId: team.mailboxId,
        subject: "Hi {{firstName}}",
        body: "Hello",
      },
    ],
  });
  expect(res.status).toBe(201);
  return Created.parse(await res.json()).id;
}

async function enroll(key: string, campaignId: string, body: unknown) {
  const res = await api(key, "POST", `/api/v1/campaigns/${campaignId}/prospects`, body);
  const text = await res.text();
  return { status: res.status, text, json: res.ok ? EnrollAnswer.parse(JSON.parse(text)) : null };
}

const person = (first: string) => ({
  firstName: first,
  lastName: "Conflict",
  emails: [
    {
      address: `${first.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.com`,
      type: "personal" as const,
    },
  ],
});

async function setDays(days: number) {
  const res = await api(t.key, "PUT", "/api/v1/account/limits", {
    dailyEmailLimit: 5000,
    onLimit: "defer",
    timeZone: "UTC",
    recentlyEmailedDays: days,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe("enroll collision guard", () => {
  it("does not enroll someone Active in a teammate's campaign, and names where and whose", async () => {
    const [ann] = await t.people([person("Ann")]);
    const theirs = await campaign(t, "Mate's campaign", 1440, mate.key);
    expect((await enroll(mate.key, theirs, { personIds: [ann] })).json?.enrolled).toBe(1);
    const mine = await campaign(t, "My campaign");

    const res = await enroll(t.key, mine, { personIds: [ann] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      enrolled: 0,
      enrolledIds: [],
      refused: [],
      conflicts: [{ personId: ann, campaignId: theirs, kind: "active_elsewhere", by: mate.userId }],
    });
    const list = ProspectPage.parse(
      await (await api(t.key, "GET", `/api/v1/campaigns/${mine}/prospects`)).json(),
    );
    expect(list.items).toEqual([]);
  });

  it("enrolls with force: true and still reports the conflict", async () => {
    const [bo] = await t.people([person("Bo")]);
    const first = await campaign(t, "First");
    await enroll(t.key, first, { personIds: [bo] });
    const second = await campaign(t, "Second");

    const res = await enroll(t.key, second, { personIds: [bo], force: true });
    expect(res.json?.enrolledIds).toEqual([bo]);
    expect(res.json?.conflicts).toEqual([
      { personId: bo, campaignId: first, kind: "active_elsewhere", by: t.userId },
    ]);
  });

  it("counts Paused as still going; Complete is not", async () => {
    const [cy, di] = await t.people([person("Cy"), person("Di")]);
    const first = await campaign(t, "Pause and finish");
    await enroll(t.key, first, { personIds: [cy, di] });
    for (const [action, who] of [
      ["pause", cy],
      ["finish", di],
    ] as const) {
      const res = await api(t.key, "POST", `/api/v1/campaigns/${first}/prospects/actions`, {
        action,
        personIds: [who],
      });
      expect(res.status).toBe(200);
    }
    const second = await campaign(t, "After pause");
    const res = await enroll(t.key, second, { personIds: [cy, di] });
    expect(res.json?.enrolledIds).toEqual([di]);
    expect(res.json?.conflicts.map((c) => [c.personId, c.kind])).toEqual([
      [cy, "active_elsewhere"],
    ]);
  });

  it("does not enroll someone a teammate emailed lately, with when; 0 days turns it off", async () => {
    const [ed] = await t.people([person("Ed")]);
    // A one-email campaign sent at once: Ed ends Complete (not still going), but emailed.
    const sent = await campaign(t, "Sent at once", 0, mate.key);
    await enroll(mate.key, sent, { personIds: [ed] });
    await alarmUntil(sent, async () => {
      const rows = ProspectPage.parse(
        await (await api(t.key, "GET", `/api/v1/campaigns/${sent}/prospects`)).json(),
      ).items;
      return rows[0]?.status === "complete";
    });
    const log = await db(env).query.emailLog.findFirst({
      where: (l, { eq }) => eq(l.personId, ed),
    });
    expect(log?.sentAt).toBeTypeOf("number");
    const later = await campaign(t, "Later");

    const res = await enroll(t.key, later, { personIds: [ed] });
    expect(res.json?.enrolled).toBe(0);
    expect(res.json?.conflicts).toEqual([
      {
        personId: ed,
        campaignId: sent,
        kind: "recently_emailed",
        by: t.userId, // the mailbox's user: the team's mailbox belongs to its owner
        at: new Date(log?.sentAt ?? 0).toISOString(),
      },
    ]);

    await setDays(0);
    try {
      const off = await enroll(t.key, later, { personIds: [ed] });
      expect(off.json).toMatchObject({ enrolledIds: [ed], conflicts: [] });
    } finally {
      await setDays(14);
    }
  });

  it("ignores an email sent longer ago than the team's window", async () => {
    const [fay] = await t.people([person("Fay")]);
    const old = await campaign(t, "Long ago", 1440);
    const day = 86_400_000;
    await db(env)
      .insert(schema.emailLog)
      .values({
        id: crypto.randomUUID(),
        teamId: t.teamId,
        campaignId: old,
        personId: fay,
        stageIndex: 0,
        stageId: "s1",
        channel: "email",
        mailboxId: t.mailboxId,
        status: "delivered",
        sentAt: Date.now() - 15 * day,
        rev: 1,
        createdAt: Date.now() - 15 * day,
      });
    const target = await campaign(t, "Fay's target");
    expect((await enroll(t.key, target, { personIds: [fay] })).json?.enrolledIds).toEqual([fay]);
  });

  it("never counts another team's campaigns or emails", async () => {
    const [gus] = await t.people([person("Gus")]);
    // The other team enrolls the same id: it is not their person, so it is refused there.
    const theirs = await campaign(other, "Other team's");
    const there = await enroll(other.key, theirs, { personIds: [gus] });
    expect(there.json?.refused).toEqual([{ personId: gus, reason: "not_found" }]);
    // Even a mirror row of another team naming this person id does not count.
    await db(env).insert(schema.campaignMember).values({
      campaignId: theirs,
      personId: gus,
      teamId: other.teamId,
      status: "active",
      stageIndex: 0,
      stageId: "s1",
      rev: 1,
      updatedAt: Date.now(),
    });
    await db(env).insert(schema.emailLog).values({
      id: crypto.randomUUID(),
      teamId: other.teamId,
      campaignId: theirs,
      personId: gus,
      stageIndex: 0,
      stageId: "s1",
      channel: "email",
      status: "sent",
      sentAt: Date.now(),
      rev: 1,
      createdAt: Date.now(),
    });
    const mine = await campaign(t, "Gus's");
    const res = await enroll(t.key, mine, { personIds: [gus] });
    expect(res.json).toMatchObject({ enrolledIds: [gus], conflicts: [] });
  });

  it("someone already in this campaign is refused as such, not a conflict", async () => {
    const [hal] = await t.people([person("Hal")]);
    const a = await campaign(t, "Hal A");
    const b = await campaign(t, "Hal B");
    await enroll(t.key, a, { personIds: [hal] });
    await enroll(t.key, b, { personIds: [hal], force: true });
    const again = await enroll(t.key, b, { personIds: [hal] });
    expect(again.json?.conflicts).toEqual([]);
    expect(again.json?.refused.map((r) => r.personId)).toEqual([hal]);
  });

  it("takes 10,000 ids at once and finds the conflicts among them", async () => {
    const many = await t.people(
      Array.from({ length: 10_000 }, (_, i) => ({
        firstName: `Bulk${i}`,
        emails: [
          {
            address: `bulk${i}-${crypto.randomUUID().slice(0, 6)}@example.com`,
            type: "personal" as const,
          },
        ],
      })),
    );
    // Two people still going elsewhere, one in each 5,000-id chunk.
    const busy = [many[17], many[9_990]];
    const elsewhere = await campaign(t, "Bulk elsewhere");
    await enroll(t.key, elsewhere, { personIds: busy });
    const bulk = await campaign(t, "Bulk target");

    const res = await enroll(t.key, bulk, { personIds: many });
    expect(res.status, res.text).toBe(200);
    expect(res.json?.enrolled).toBe(9_998);
    expect(res.json?.conflicts.map((c) => c.personId).sort()).toEqual([...busy].sort());
  }, 120_000);

  it("answers 400 for a body that is not JSON, 422 naming the field for a wrong shape", async () => {
    const target = await campaign(t, "Malformed");
    const notJson = await api(t.key, "POST", `/api/v1/campaigns/${target}/prospects`, "{nope");
    expect(notJson.status).toBe(400);
    for (const body of [
      { personIds: "abc" },
      { personIds: ["a"], force: "yes" },
      { personIds: [] },
    ]) {
      const res = await api(t.key, "POST", `/api/v1/campaigns/${target}/prospects`, body);
      expect(res.status).toBe(422);
      const err = z
        .object({ error: z.object({ code: z.literal("validation_failed"), message: z.string() }) })
        .parse(await res.json());
      expect(err.error.message).toMatch(/personIds|force/);
    }
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `id-${i}`);
    const res = await api(t.key, "POST", `/api/v1/campaigns/${target}/prospects`, {
      personIds: tooMany,
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("At most 10,000 people at once");
  });

  it("keeps recentlyEmailedDays in the limits answer and checks it", async () => {
    const got = await api(t.key, "GET", "/api/v1/account/limits");
    expect(await got.json()).toMatchObject({ recentlyEmailedDays: 14, dailyEmailLimit: 5000 });
    const bad = await api(t.key, "PUT", "/api/v1/account/limits", {
      dailyEmailLimit: 5000,
      onLimit: "defer",
      timeZone: "UTC",
      recentlyEmailedDays: -1,
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("recentlyEmailedDays cannot be negative");
  });

  it("the campaign page's enroll dialog names who, where and by whom, and enrolls anyway on request", async () => {
    const [ivy] = await t.people([person("Ivy")]);
    const theirs = await campaign(t, "Mate's outreach", 1440, mate.key);
    await enroll(mate.key, theirs, { personIds: [ivy] });
    const mine = await campaign(t, "Dialog target");

    const asked = await html(
      await page(t.cookie, `/campaigns/${mine}`, { intent: "enroll", pastedIds: ivy }),
    );
    expect(asked).toContain("Not enrolled yet: 1 person is busy elsewhere");
    expect(asked).toMatch(
      new RegExp(
        `Ivy Conflict</strong> is still going in <a[^>]*href="/campaigns/${theirs}"[^>]*>Mate&#x27;s outreach</a> \\(owner Mate User\\)`,
      ),
    );
    expect(asked).toContain("Enroll anyway (1)");

    const forced = await html(
      await page(t.cookie, `/campaigns/${mine}`, { intent: "enroll", force: "1", pastedIds: ivy }),
    );
    expect(forced).toContain(
      "Enrolled 1 person. 1 enrolled despite another campaign or a recent email.",
    );
    expect(forced).not.toContain("Enroll anyway");
  });

  it("the Settings page saves the recently-emailed window", async () => {
    const res = await page(t.cookie, "/settings?index", {
      timeZone: "UTC",
      dailyEmailLimit: "5000",
      onLimit: "defer",
      recentlyEmailedDays: "30",
    });
    expect(res.status).toBe(302);
    const got = await api(t.key, "GET", "/api/v1/account/limits");
    expect(await got.json()).toMatchObject({ recentlyEmailedDays: 30 });
    expect(await html(await page(t.cookie, "/settings"))).toContain('value="30"');
    const bad = await page(t.cookie, "/settings?index", {
      timeZone: "UTC",
      dailyEmailLimit: "5000",
      onLimit: "defer",
      recentlyEmailedDays: "-3",
    });
    expect(bad.status).toBe(200);
    expect(await html(bad)).toContain("recentlyEmailedDays cannot be negative");
    await setDays(14);
  });

  it("the profile's Add to campaign holds someone busy elsewhere unless ticked to add anyway", async () => {
    const [jo] = await t.people([person("Jo")]);
    const busy = await campaign(t, "Jo elsewhere");
    await enroll(t.key, busy, { personIds: [jo] });
    const target = await campaign(t, "Jo target");

    const held = await page(t.cookie, `/people/${jo}/outreach`, {
      intent: "enroll",
      campaignId: target,
    });
    expect(held.status).toBe(302);
    const said = new URL(held.headers.get("Location") ?? "", "http://x").searchParams;
    expect(said.get("outreach")).toContain("1 not enrolled: in another campaign of the team");
    expect(said.get("outreach")).toContain("Tick “Add even if busy elsewhere”");
    expect(said.get("tone")).toBe("error");

    const added = await page(t.cookie, `/people/${jo}/outreach`, {
      intent: "enroll",
      campaignId: target,
      force: "1",
    });
    const ok = new URL(added.headers.get("Location") ?? "", "http://x").searchParams;
    expect(ok.get("outreach")).toContain("Enrolled 1 person.");
    expect(ok.get("tone")).toBeNull();
  });
});
