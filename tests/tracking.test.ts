/**
 * Open and click tracking under /t/* (DESIGN.md §1 "Metrics", §2): the pixel counts an
 * open once per person per stage; a click redirects only to the URL that was in the
 * message and counts as an open too; forged tokens are 404s; machine requests (HEAD, too
 * soon after the send, a scanner network, a burst over links, the honeypot) are stored
 * and counted only in `include=all`. Emails go out through the sink, whose text part
 * carries the tracked links.
 */

import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "@workers/app";
import { resetClockForTest, setClockForTest } from "@workers/clock";
import { db, schema } from "@workers/db/client";
import { trackingUrls } from "@workers/tracking/urls";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createCampaign,
  type EngineTeam,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
  sinkMessages,
} from "./helpers/engine";

afterEach(() => resetClockForTest());

const LINKS = [
  "https://jobs.example.com/role?id=7&src=mail",
  "https://example.org/about",
  "https://example.net/team",
];
const BODY = `Hi {{firstName}}, the role: ${LINKS[0]}. About us: ${LINKS[1]} and ${LINKS[2]}`;
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const MINUTE = 60_000;

type Sent = Awaited<ReturnType<typeof sent>>;

/** A campaign that has sent stage 1 to `n` people; `track` sets trackOpens and trackClicks. */
async function sent(label: string, n: number, track = true) {
  const t = await engineTeam(label);
  const ids = await t.people(
    Array.from({ length: n }, (_, i) => ({
      firstName: `P${i}`,
      emails: [{ address: `${label}-${i}@example.org`, type: "personal" as const }],
    })),
  );
  const c = await createCampaign(t, {
    name: label,
    trackOpens: track,
    trackClicks: track,
    stages: [
      emailStage(t.mailboxId, 0, { body: BODY }),
      emailStage(t.mailboxId, 3 * 24 * 60, { body: BODY }),
    ],
  });
  await enroll(t, c.id, ids);
  await runAlarm(c.id);
  const rows = await db(env)
    .select()
    .from(schema.emailLog)
    .where(and(eq(schema.emailLog.campaignId, c.id), eq(schema.emailLog.status, "sent")));
  expect(rows).toHaveLength(n);
  const mail = await sinkMessages(t.teamId);
  const byPerson = new Map(
    rows.map((r) => {
      const text = mail.find((m) => m.to === r.to)?.text ?? "";
      return [r.personId, { row: r, text }];
    }),
  );
  return { t, campaignId: c.id, ids, byPerson, sentAt: rows[0].sentAt ?? 0 };
}

/** The tracked URLs of the message's text part, in order. */
function trackedLinks(text: string): string[] {
  return [...text.matchAll(/http:\/\/localhost\/t\/c\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g)].map(
    (m) => m[0],
  );
}

function pixelOf(s: Sent, personId: string) {
  const row = s.byPerson.get(personId)?.row;
  if (!row) throw new Error("no message");
  const urls = trackingUrls({
    secret: env.AUTH_SECRET,
    publicUrl: env.PUBLIC_URL,
    teamId: s.t.teamId,
    rowId: row.id,
    trackOpens: true,
    trackClicks: true,
  });
  return { pixel: urls.pixel ?? "", honeypot: urls.honeypot ?? "" };
}

function hit(url: string, init: RequestInit & { cf?: Record<string, unknown> } = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has("User-Agent")) headers.set("User-Agent", UA);
  return exports.default.fetch(new Request(url, { ...init, headers, redirect: "manual" }));
}

type StageFigures = { reached: number; opened: { people: number }; clicked: { people: number } };
type Metrics = {
  prospects: number;
  stages: StageFigures[];
  totals: { opened: { people: number }; clicked: { people: number } };
};

async function metrics(t: EngineTeam, campaignId: string, include?: "all") {
  const res = await t.call(
    "GET",
    `/api/v1/campaigns/${campaignId}/metrics${include ? "?include=all" : ""}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.json as Metrics;
}

async function eventsOf(campaignId: string) {
  return db(env)
    .select()
    .from(schema.trackingEvent)
    .where(eq(schema.trackingEvent.campaignId, campaignId));
}

describe("/t/* tracking", () => {
  it("the pixel is a no-store GIF and counts one open per person per stage, however often", async () => {
    const s = await sent("tr-pixel", 2);
    setClockForTest(s.sentAt + 5 * MINUTE);
    const { pixel } = pixelOf(s, s.ids[0]);
    for (let i = 0; i < 3; i++) {
      const res = await hit(pixel);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/gif");
      expect(res.headers.get("Cache-Control")).toMatch(/no-store/);
      expect(new Uint8Array(await res.arrayBuffer()).slice(0, 3)).toEqual(
        new TextEncoder().encode("GIF"),
      );
    }
    const m = await metrics(s.t, s.campaignId);
    expect(m.stages[0].opened.people).toBe(1);
    expect(m.stages[1].opened.people).toBe(0);
    expect(m.totals.opened.people).toBe(1);
    expect(await eventsOf(s.campaignId)).toHaveLength(3);
  });

  it("a click redirects to the message's own URL, counts a click and an open; a forged or altered token is a 404", async () => {
    const s = await sent("tr-click", 1);
    setClockForTest(s.sentAt + 5 * MINUTE);
    const { text } = s.byPerson.get(s.ids[0]) ?? { text: "" };
    const links = trackedLinks(text);
    expect(links).toHaveLength(3);
    for (const url of LINKS) expect(text).not.toContain(url);
    const res = await hit(links[0]);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(LINKS[0]);

    const [body, mac] = links[1].split("/t/c/")[1].split(".");
    const altered = `${body.slice(0, -2)}${body.endsWith("AA") ? "BB" : "AA"}.${mac}`;
    expect((await hit(`http://localhost/t/c/${altered}`)).status).toBe(404);
    expect((await hit(`http://localhost/t/c/${body}.${"x".repeat(mac.length)}`)).status).toBe(404);
    expect((await hit("http://localhost/t/c/garbage")).status).toBe(404);

    const m = await metrics(s.t, s.campaignId);
    expect(m.stages[0].clicked.people).toBe(1);
    expect(m.stages[0].opened.people).toBe(1);
    expect(await eventsOf(s.campaignId)).toHaveLength(1);
    // The Email Log shows when the message was first clicked (and so opened).
    const log = await s.t.call("GET", `/api/v1/email-log?campaignId=${s.campaignId}&status=sent`);
    const [entry] = (log.json as { items: { clickedAt?: string; openedAt?: string }[] }).items;
    expect(Date.parse(entry.clickedAt ?? "")).toBeGreaterThanOrEqual(s.sentAt + 5 * MINUTE);
    expect(entry.openedAt).toBe(entry.clickedAt);
  });

  it("HEAD, a request within 10 s of the send and a scanner network are machines: stored, counted only in include=all", async () => {
    const s = await sent("tr-machine", 3);
    const [a, b, c] = s.ids;
    setClockForTest(s.sentAt + 3_000);
    expect((await hit(pixelOf(s, a).pixel)).status).toBe(200);
    setClockForTest(s.sentAt + 5 * MINUTE);
    expect((await hit(pixelOf(s, b).pixel, { method: "HEAD" })).status).toBe(200);
    const scanned = await hit(pixelOf(s, c).pixel, {
      cf: { asn: 8075, asOrganization: "MICROSOFT-CORP-MSN-AS-BLOCK" },
    });
    expect(scanned.status).toBe(200);

    const human = await metrics(s.t, s.campaignId);
    expect(human.stages[0].opened.people).toBe(0);
    const all = await metrics(s.t, s.campaignId, "all");
    expect(all.stages[0].opened.people).toBe(3);
    const reasons = (await eventsOf(s.campaignId)).map((e) => [
      e.personId,
      e.machine,
      e.machineReason,
    ]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [a, true, "too_soon"],
        [b, true, "head"],
        [c, true, "scanner_network"],
      ]),
    );
  });

  it("a burst over 3 links within 2 s is a machine, the burst's earlier clicks too", async () => {
    const s = await sent("tr-burst", 1);
    setClockForTest(s.sentAt + 5 * MINUTE);
    const links = trackedLinks(s.byPerson.get(s.ids[0])?.text ?? "");
    const t0 = s.sentAt + 5 * MINUTE;
    for (const [i, url] of links.entries()) {
      setClockForTest(t0 + i * 500);
      expect((await hit(url)).status).toBe(302);
    }
    const human = await metrics(s.t, s.campaignId);
    expect(human.stages[0].clicked.people).toBe(0);
    expect(human.stages[0].opened.people).toBe(0);
    const all = await metrics(s.t, s.campaignId, "all");
    expect(all.stages[0].clicked.people).toBe(1);
    const events = await eventsOf(s.campaignId);
    expect(events.map((e) => e.machine)).toEqual([true, true, true]);
  });

  it("a honeypot hit flags the message's clicks within ±10 s, also those counted before it", async () => {
    const s = await sent("tr-honey", 2);
    const [a, b] = s.ids;
    const t0 = s.sentAt + 5 * MINUTE;
    const linksA = trackedLinks(s.byPerson.get(a)?.text ?? "");
    setClockForTest(t0);
    await hit(linksA[0]);
    expect((await metrics(s.t, s.campaignId)).stages[0].clicked.people).toBe(1);
    setClockForTest(t0 + 4_000);
    expect((await hit(pixelOf(s, a).honeypot)).status).toBe(200);
    setClockForTest(t0 + 8_000);
    await hit(linksA[1]);
    // b's click, far from any honeypot hit of b's message, stays human.
    const linksB = trackedLinks(s.byPerson.get(b)?.text ?? "");
    setClockForTest(t0 + 60_000);
    await hit(linksB[0]);

    const human = await metrics(s.t, s.campaignId);
    expect(human.stages[0].clicked.people).toBe(1);
    expect(human.stages[0].opened.people).toBe(1);
    const all = await metrics(s.t, s.campaignId, "all");
    expect(all.stages[0].clicked.people).toBe(2);
    const flags = (await eventsOf(s.campaignId))
      .filter((e) => e.personId === a)
      .map((e) => [e.kind, e.machineReason]);
    expect(flags).toEqual(
      expect.arrayContaining([
        ["click", "near_honeypot"],
        ["honeypot", "honeypot"],
      ]),
    );
  });

  it("a honeypot hit takes back the Email Log's click and open times its flagged clicks set, and keeps a human open before them", async () => {
    const s = await sent("tr-honey-log", 2);
    const [a, b] = s.ids;
    const t0 = s.sentAt + 5 * MINUTE;
    const t1 = t0 + 20 * MINUTE;
    // a opened (the pixel) long before; then a click and a honeypot hit 4 s apart.
    setClockForTest(t0);
    await hit(pixelOf(s, a).pixel);
    setClockForTest(t1);
    await hit(trackedLinks(s.byPerson.get(a)?.text ?? "")[0]);
    // b: only a click (which also counted as an open), then the honeypot.
    await hit(trackedLinks(s.byPerson.get(b)?.text ?? "")[0]);
    setClockForTest(t1 + 4_000);
    await hit(pixelOf(s, a).honeypot);
    await hit(pixelOf(s, b).honeypot);

    const Row = z.object({
      personId: z.string(),
      status: z.string(),
      openedAt: z.string().optional(),
      clickedAt: z.string().optional(),
    });
    const log = z
      .object({ items: z.array(Row) })
      .parse((await s.t.call("GET", `/api/v1/email-log?campaignId=${s.campaignId}`)).json).items;
    const of = (id: string) => log.find((r) => r.personId === id && r.status === "sent");
    // The test clock runs on from where it is set: the open is stamped a moment after t0.
    const openedA = Date.parse(of(a)?.openedAt ?? "");
    expect(openedA).toBeGreaterThanOrEqual(t0);
    expect(openedA).toBeLessThan(t0 + MINUTE);
    expect(of(a)?.clickedAt).toBeUndefined();
    expect(of(b)?.openedAt).toBeUndefined();
    expect(of(b)?.clickedAt).toBeUndefined();
    const human = await metrics(s.t, s.campaignId);
    expect(human.stages[0].opened.people).toBe(1);
    expect(human.stages[0].clicked.people).toBe(0);
  });

  it("an Apple Mail Privacy Protection open counts, labelled proxy", async () => {
    const s = await sent("tr-proxy", 1);
    setClockForTest(s.sentAt + 5 * MINUTE);
    await hit(pixelOf(s, s.ids[0]).pixel, {
      headers: { "User-Agent": "Mozilla/5.0" },
      cf: { asn: 714, asOrganization: "APPLE-ENGINEERING" },
    });
    expect((await metrics(s.t, s.campaignId)).stages[0].opened.people).toBe(1);
    const [e] = await eventsOf(s.campaignId);
    expect(e.proxy).toBe(true);
    expect(e.machine).toBe(false);
  });

  it("with tracking off the email carries no tracked links and nothing is counted", async () => {
    const s = await sent("tr-off", 1, false);
    const { text } = s.byPerson.get(s.ids[0]) ?? { text: "" };
    expect(trackedLinks(text)).toEqual([]);
    for (const url of LINKS) expect(text).toContain(url);
    expect(await eventsOf(s.campaignId)).toHaveLength(0);
    const m = await metrics(s.t, s.campaignId, "all");
    expect(m.totals.opened.people).toBe(0);
    expect(m.stages[0].reached).toBe(1);
  });
});

describe("attachments", () => {
  async function upload(t: EngineTeam, bytes: Uint8Array<ArrayBuffer>, name: string) {
    const form = new FormData();
    form.append("file", new File([new Uint8Array(bytes)], name, { type: "application/pdf" }));
    return exports.default.fetch("http://localhost/api/v1/attachments", {
      method: "POST",
      headers: { Authorization: `Bearer ${t.key}` },
      body: form,
    });
  }

  it("uploads a file, sends it as a tracked download link, serves it and counts the download once per person", async () => {
    const t = await engineTeam("tr-attach");
    const bytes = new TextEncoder().encode("%PDF-1.4 the role description");
    const res = await upload(t, bytes, "Role description.pdf");
    expect(res.status, await res.clone().text()).toBe(201);
    const file = (await res.json()) as { id: string; name: string; size: number };
    expect(file).toMatchObject({ name: "Role description.pdf", size: bytes.byteLength });

    const [id] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@tr-attach.example", type: "personal" }] },
    ]);
    const c = await createCampaign(t, {
      name: "With a file",
      stages: [
        emailStage(t.mailboxId, 0, {
          attachments: [{ id: file.id, name: file.name, size: file.size }],
        }),
      ],
    });
    await enroll(t, c.id, [id]);
    await runAlarm(c.id);
    const [mail] = await sinkMessages(t.teamId);
    const link = mail.text.match(/http:\/\/localhost\/t\/d\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
    expect(mail.text).toContain("Role description.pdf (");
    expect(link).toBeDefined();
    const [row] = await db(env)
      .select()
      .from(schema.emailLog)
      .where(eq(schema.emailLog.campaignId, c.id));
    setClockForTest((row.sentAt ?? 0) + 5 * MINUTE);
    for (let i = 0; i < 2; i++) {
      const got = await hit(link ?? "");
      expect(got.status).toBe(200);
      expect(got.headers.get("Content-Disposition")).toContain("attachment;");
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
    }
    const m = (await t.call("GET", `/api/v1/campaigns/${c.id}/metrics`)).json as {
      stages: { downloaded: { people: number } }[];
      totals: { downloaded: { people: number }; opened: { people: number } };
    };
    expect(m.stages[0].downloaded.people).toBe(1);
    expect(m.totals.downloaded.people).toBe(1);
    // Another team cannot read it, even by a valid-looking link of its own.
    const other = await engineTeam("tr-attach-other");
    const { download } = trackingUrls({
      secret: env.AUTH_SECRET,
      publicUrl: env.PUBLIC_URL,
      teamId: other.teamId,
      rowId: row.id,
      trackOpens: true,
      trackClicks: true,
    });
    expect((await hit(download(file.id))).status).toBe(404);
  });

  it("refuses a file over 10 MB with 413, and a request without a file with 400", async () => {
    const t = await engineTeam("tr-attach-big");
    const big = await upload(t, new Uint8Array(10 * 1024 * 1024 + 1), "big.pdf");
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe(
      "payload_too_large",
    );
    const none = await exports.default.fetch("http://localhost/api/v1/attachments", {
      method: "POST",
      headers: { Authorization: `Bearer ${t.key}` },
      body: new FormData(),
    });
    expect(none.status).toBe(400);
  });

  it("refuses a stage whose attachment is not one of the team's uploads, naming it, and keeps the campaign as it was", async () => {
    const owner = await engineTeam("tr-attach-owner");
    const other = await engineTeam("tr-attach-other");
    const res = await upload(owner, new TextEncoder().encode("%PDF-1.4 x"), "Offer.pdf");
    const theirs = (await res.json()) as { id: string; name: string; size: number };
    const mine = (await (
      await upload(other, new TextEncoder().encode("%PDF-1.4 y"), "Mine.pdf")
    ).json()) as { id: string; name: string; size: number };
    const Problem = z.object({
      error: z.object({
        code: z.string(),
        message: z.string(),
        issues: z.array(z.object({ path: z.string(), message: z.string() })),
      }),
    });
    const stageWith = (files: { id: string; name: string; size: number }[]) =>
      emailStage(other.mailboxId, 0, { attachments: files });

    // Another team's upload, and an id nobody uploaded: refused on create.
    for (const file of [theirs, { ...theirs, id: crypto.randomUUID() }]) {
      const created = await other.call("POST", "/api/v1/campaigns", {
        name: "Borrowed file",
        stages: [stageWith([mine, file])],
      });
      expect(created.status, created.text).toBe(422);
      const problem = Problem.parse(created.json).error;
      expect(problem.code).toBe("validation_failed");
      expect(problem.issues).toEqual([
        { path: "stages.0.attachments.1.id", message: "No attachment with this id in your team" },
      ]);
    }

    // And on an edit: the campaign keeps its stages.
    const c = await createCampaign(other, { name: "Own file", stages: [stageWith([mine])] });
    const edit = await other.call("PATCH", `/api/v1/campaigns/${c.id}`, {
      version: c.version,
      stages: [stageWith([theirs])],
    });
    expect(edit.status, edit.text).toBe(422);
    expect(Problem.parse(edit.json).error.issues[0]?.path).toBe("stages.0.attachments.0.id");
    const after = await other.call("GET", `/api/v1/campaigns/${c.id}`);
    const stages = z
      .object({ stages: z.array(z.object({ attachments: z.array(z.object({ id: z.string() })) })) })
      .parse(after.json).stages;
    expect(stages[0]?.attachments.map((a) => a.id)).toEqual([mine.id]);
  });
});

describe("housekeeping", () => {
  it("prunes tracking events after 90 days; the counts stay", async () => {
    const s = await sent("tr-prune", 1);
    setClockForTest(s.sentAt + 5 * MINUTE);
    await hit(pixelOf(s, s.ids[0]).pixel);
    expect(await eventsOf(s.campaignId)).toHaveLength(1);
    setClockForTest(s.sentAt + 91 * 24 * 60 * MINUTE);
    const handler: ExportedHandler<Env> = worker;
    await handler.scheduled?.(
      createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }),
      env,
      createExecutionContext(),
    );
    expect(await eventsOf(s.campaignId)).toHaveLength(0);
    expect((await metrics(s.t, s.campaignId)).stages[0].opened.people).toBe(1);
  });
});
