/**
 * Engagement metrics through the API (DESIGN.md §1 "Metrics", §3): per stage people ÷ all
 * prospects and ÷ people the stage reached, totals at any stage, the account's totals with
 * campaigns ranked by reply rate, CSV of each. Events come in through the public entry
 * points: the sink's sends, /t/* tracking, and the Worker's email handler for replies.
 */

import { env } from "cloudflare:workers";
import { resetClockForTest, setClockForTest } from "@workers/clock";
import { sampleOutOfOffice, sampleReply } from "@workers/core/inbound/samples";
import { db, schema } from "@workers/db/client";
import { trackingUrls } from "@workers/tracking/urls";
import { and, eq } from "drizzle-orm";
import Papa from "papaparse";
import { afterEach, describe, expect, it } from "vitest";
import {
  createCampaign,
  type EngineTeam,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
  sinkMessages,
} from "./helpers/engine";
import { deliver, sentStageOne } from "./inbound/helpers";

afterEach(() => resetClockForTest());

const DAY = 24 * 60 * 60 * 1000;
type Measure = { people: number; rate: number; rateOfReached?: number };
type Stage = { stageIndex: number; stageId: string; reached: number } & Record<string, Measure>;
type CampaignBody = { prospects: number; stages: Stage[]; totals: Record<string, Measure> };
type TeamBody = {
  prospects: number;
  totals: Record<string, Measure>;
  byCampaign: { campaignId: string; prospects: number; totals: Record<string, Measure> }[];
};

async function sentRow(campaignId: string, personId: string, stageIndex: number) {
  const rows = await db(env)
    .select()
    .from(schema.emailLog)
    .where(and(eq(schema.emailLog.campaignId, campaignId), eq(schema.emailLog.personId, personId)));
  const row = rows.find((r) => r.stageIndex === stageIndex && r.sentAt !== null);
  if (!row) throw new Error(`no sent message at stage ${stageIndex}`);
  return row;
}

function urlsFor(t: EngineTeam, rowId: string) {
  return trackingUrls({
    secret: env.AUTH_SECRET,
    publicUrl: env.PUBLIC_URL,
    teamId: t.teamId,
    rowId,
    trackOpens: true,
    trackClicks: true,
  });
}

const fetchTracked = async (url: string) => {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(url, {
    redirect: "manual",
    headers: { "User-Agent": "Mozilla/5.0 (X11)" },
  });
};

/** Our latest email to the address (its reply-to and Message-ID), from the sink. */
async function lastMailTo(teamId: string, address: string) {
  const mine = (await sinkMessages(teamId))
    .filter((m) => m.to === address)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  const h = JSON.parse(mine.headers) as Record<string, string>;
  return { replyTo: h["Reply-To"], messageId: h["Message-ID"], subject: mine.subject ?? "" };
}

async function reply(teamId: string, address: string, text: string, ooo = false) {
  const m = await lastMailTo(teamId, address);
  const base = {
    from: address,
    to: m.replyTo,
    subject: `Re: ${m.subject}`,
    inReplyTo: m.messageId,
  };
  const raw = ooo
    ? sampleOutOfOffice({ ...base, text, withHeaders: true })
    : sampleReply({ ...base, text, messageId: `<${crypto.randomUUID()}@mail.example>` });
  const d = await deliver(raw, { from: address, to: m.replyTo });
  expect(d.threw).toBeNull();
  expect(d.rejected).toBeNull();
}

/**
 * Four people; stage 1 reaches all four, D replies to it; stage 2 reaches A, B, C. B opens
 * stage 1 and clicks in stage 2; C replies to stage 2 twice; A sends an out-of-office.
 */
async function scenario(label: string) {
  const t = await engineTeam(label);
  const who = ["a", "b", "c", "d"].map((n) => ({
    firstName: n.toUpperCase(),
    address: `${n}@${label}.example`,
  }));
  const { campaign, ids } = await sentStageOne(t, who);
  const [A, B, C, D] = ids;
  const stage1At = (await sentRow(campaign.id, A, 0)).sentAt ?? 0;
  setClockForTest(stage1At + 60 * 60 * 1000);
  await fetchTracked(urlsFor(t, (await sentRow(campaign.id, B, 0)).id).pixel ?? "");
  await fetchTracked(urlsFor(t, (await sentRow(campaign.id, B, 0)).id).pixel ?? "");
  await reply(t.teamId, who[3].address, "Yes, let's talk.");
  setClockForTest(stage1At + 3 * DAY + 60_000);
  await runAlarm(campaign.id);
  const stage2At = (await sentRow(campaign.id, B, 1)).sentAt ?? 0;
  setClockForTest(stage2At + 30 * 60 * 1000);
  const click = urlsFor(t, (await sentRow(campaign.id, B, 1)).id).click?.(
    "https://example.com/job",
    0,
  );
  expect((await fetchTracked(click ?? "")).status).toBe(302);
  await reply(t.teamId, who[2].address, "Interested!");
  await reply(t.teamId, who[2].address, "Also: can we talk Friday?");
  await reply(t.teamId, who[0].address, "I am out of office until next Monday.", true);
  return { t, campaign, ids: { A, B, C, D } };
}

describe("GET /api/v1/campaigns/:id/metrics", () => {
  it("per stage ÷ prospects and ÷ reached; totals at any stage; a reply counted once and never as an open; an auto-reply never", async () => {
    const { t, campaign } = await scenario("mx-one");
    const res = await t.call("GET", `/api/v1/campaigns/${campaign.id}/metrics`);
    expect(res.status, res.text).toBe(200);
    const m = res.json as CampaignBody;
    expect(m.prospects).toBe(4);
    const [s1, s2] = m.stages;
    expect(s1).toMatchObject({ stageIndex: 0, reached: 4 });
    expect(s1.opened).toMatchObject({ people: 1, rate: 1 / 4, rateOfReached: 1 / 4 });
    expect(s1.replied).toMatchObject({ people: 1, rate: 1 / 4, rateOfReached: 1 / 4 });
    expect(s1.clicked.people).toBe(0);
    expect(s2).toMatchObject({ stageIndex: 1, reached: 3 });
    expect(s2.clicked).toMatchObject({ people: 1, rate: 1 / 4, rateOfReached: 1 / 3 });
    expect(s2.opened).toMatchObject({ people: 1, rate: 1 / 4, rateOfReached: 1 / 3 });
    expect(s2.replied).toMatchObject({ people: 1, rate: 1 / 4, rateOfReached: 1 / 3 });
    // B opened at both stages: once in the totals. C and D replied and never opened.
    expect(m.totals.opened).toEqual({ people: 1, rate: 1 / 4 });
    expect(m.totals.clicked).toEqual({ people: 1, rate: 1 / 4 });
    expect(m.totals.replied).toEqual({ people: 2, rate: 2 / 4 });
    expect(m.totals.reached).toEqual({ people: 4, rate: 1 });
    expect(m.totals.downloaded.people).toBe(0);
  });

  it("answers CSV, refuses a bad include with 400, and another team's campaign with 404", async () => {
    const { t, campaign } = await scenario("mx-csv");
    const res = await t.call("GET", `/api/v1/campaigns/${campaign.id}/metrics.csv`);
    expect(res.status).toBe(200);
    const rows = Papa.parse<Record<string, string>>(res.text.trim(), { header: true }).data;
    expect(rows.map((r) => r.Stage)).toEqual(["1", "2", "All stages"]);
    expect(rows[1]).toMatchObject({
      Reached: "3",
      "replied people": "1",
      "replied rate of reached": "0.3333",
    });
    expect(rows[2]).toMatchObject({ "replied people": "2", "replied rate": "0.5000" });
    const bad = await t.call("GET", `/api/v1/campaigns/${campaign.id}/metrics?include=robots`);
    expect(bad.status).toBe(400);
    expect((bad.json as { error: { code: string; message: string } }).error.message).toMatch(
      /include/,
    );
    const other = await engineTeam("mx-other");
    expect((await other.call("GET", `/api/v1/campaigns/${campaign.id}/metrics`)).status).toBe(404);
  });
});

describe("GET /api/v1/metrics", () => {
  it("totals over the team's campaigns ÷ all their prospects, byCampaign ranked by reply rate, and CSV", async () => {
    const { t, campaign } = await scenario("mx-team");
    const ids = await t.people([
      { firstName: "E", emails: [{ address: "e@mx-team.example", type: "personal" }] },
      { firstName: "F", emails: [{ address: "f@mx-team.example", type: "personal" }] },
    ]);
    const quiet = await createCampaign(t, { name: "Quiet", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, quiet.id, ids);
    await runAlarm(quiet.id);
    const res = await t.call("GET", "/api/v1/metrics");
    expect(res.status, res.text).toBe(200);
    const m = res.json as TeamBody;
    expect(m.prospects).toBe(6);
    expect(m.totals.replied).toEqual({ people: 2, rate: 2 / 6 });
    expect(m.totals.reached).toEqual({ people: 6, rate: 1 });
    expect(m.byCampaign.map((c) => c.campaignId)).toEqual([campaign.id, quiet.id]);
    expect(m.byCampaign[0].totals.replied.rate).toBe(0.5);
    const csv = await t.call("GET", "/api/v1/metrics.csv");
    expect(csv.status).toBe(200);
    const rows = Papa.parse<Record<string, string>>(csv.text.trim(), { header: true }).data;
    expect(rows.map((r) => r.Campaign)).toEqual(["Replies", "Quiet", "All campaigns"]);
    expect(rows[2]).toMatchObject({ Prospects: "6", "replied people": "2" });
    expect((await t.call("GET", "/api/v1/metrics?include=")).status).toBe(400);
  });

  it("the daily series counts sends and first events per UTC day", async () => {
    const { t } = await scenario("mx-daily");
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const res = await t.call("GET", `/api/v1/metrics/daily?from=${from}&to=${to}`);
    expect(res.status, res.text).toBe(200);
    const items = (res.json as { items: { day: string; sent: number; replied: number }[] }).items;
    expect(items).toHaveLength(21);
    expect(items.reduce((n, d) => n + d.sent, 0)).toBe(7);
    expect(items.reduce((n, d) => n + d.replied, 0)).toBe(2);
    expect(items.some((d) => d.day === today)).toBe(true);
    expect((await t.call("GET", `/api/v1/metrics/daily?from=${to}&to=${from}`)).status).toBe(400);
  });
});
