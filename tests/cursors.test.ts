/**
 * Cursors (issue #7): every paged list of the JSON API answers a cursor it did not give out
 * with 400 `invalid_cursor` naming the cursor, and walks its own `nextCursor`s page by page;
 * the list pages answer such a link with 400 and a notice over the first page. The API's
 * GET routes are read from the router, so a new one fails here until it is a list case
 * below or is listed as not paged.
 */
import { env } from "cloudflare:workers";
import { api as apiRouter } from "@workers/api/index";
import { createMailbox } from "@workers/data/mailboxes";
import { db, schema } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

type World = { team: TestUser; campaignId: string; logCampaignId: string };
let w: World;

const Id = z.object({ id: z.string() });

async function created(res: Response): Promise<string> {
  if (res.status >= 300) throw new Error(`${res.status}: ${await res.text()}`);
  return Id.parse(await res.json()).id;
}

beforeAll(async () => {
  const team = await makeTeam("cursors");
  const box = await createMailbox(env, team, { address: "cursors@beacon.test", name: "Cy" });
  if (!box.ok) throw new Error(box.message);
  const personIds: string[] = [];
  for (const firstName of ["Ann", "Bob"]) {
    personIds.push(await created(await api(team.key, "POST", "/api/v1/people", { firstName })));
  }
  for (const title of ["First job", "Second job"]) {
    await created(await api(team.key, "POST", "/api/v1/jobs", { title, stages: ["One"] }));
  }
  const campaignIds: string[] = [];
  for (const name of ["First campaign", "Second campaign"]) {
    const stage = {
      type: "email",
      delayMinutes: 1440,
      mailboxId: box.mailbox.id,
      subject: "Hello",
      body: "Hi {{firstName}}",
      emailPriority: "work_first",
    };
    campaignIds.push(
      await created(await api(team.key, "POST", "/api/v1/campaigns", { name, stages: [stage] })),
    );
  }
  const enrolled = await api(team.key, "POST", `/api/v1/campaigns/${campaignIds[0]}/prospects`, {
    personIds,
  });
  expect(enrolled.status, await enrolled.clone().text()).toBe(200);
  // Two Email Log rows of a campaign of their own, so no send of the campaigns above counts.
  const logCampaignId = `log-${crypto.randomUUID()}`;
  await db(env)
    .insert(schema.emailLog)
    .values(
      [1, 2].map((n) => ({
        id: `msg-${n}-${crypto.randomUUID()}`,
        teamId: team.teamId,
        campaignId: logCampaignId,
        personId: personIds[0],
        stageIndex: 0,
        stageId: "stage-1",
        channel: "email" as const,
        status: "sent",
        rev: n,
        createdAt: 1_700_000_000_000 + n,
      })),
    );
  // A campaign whose first stage is a task due at once: two rows of the task queue.
  const taskCampaignId = await created(
    await api(team.key, "POST", "/api/v1/campaigns", {
      name: "Task campaign",
      stages: [{ type: "task", delayMinutes: 0, title: "Call them" }],
    }),
  );
  const tasked = await api(team.key, "POST", `/api/v1/campaigns/${taskCampaignId}/prospects`, {
    personIds,
    force: true,
  });
  expect(tasked.status, await tasked.clone().text()).toBe(200);
  w = { team, campaignId: campaignIds[0], logCampaignId };
});

type ListCase = {
  /** The list's path and the filters that keep it to this file's rows. */
  path: () => string;
  /** How each item is told apart. */
  key: "id" | "personId";
  /** How many items this file made for it. */
  count: number;
};

/** One case per paged list of the JSON API, keyed "GET /pattern" as the router lists it. */
const LIST_CASES: Record<string, ListCase> = {
  "GET /api/v1/people": { path: () => "/api/v1/people?", key: "id", count: 2 },
  "GET /api/v1/jobs": { path: () => "/api/v1/jobs?", key: "id", count: 2 },
  "GET /api/v1/campaigns": { path: () => "/api/v1/campaigns?", key: "id", count: 3 },
  // Through the Campaign DO, which reads the cursor itself; the route checks it first.
  "GET /api/v1/campaigns/:id/prospects": {
    path: () => `/api/v1/campaigns/${w.campaignId}/prospects?`,
    key: "personId",
    count: 2,
  },
  "GET /api/v1/email-log": {
    path: () => `/api/v1/email-log?campaignId=${w.logCampaignId}&`,
    key: "id",
    count: 2,
  },
  "GET /api/v1/tasks": { path: () => "/api/v1/tasks?", key: "personId", count: 2 },
};

/** GET routes that are not paged: one thing, a short list given whole, or an export. */
const NOT_PAGED = new Set([
  "GET /api/v1/people/:id",
  "GET /api/v1/mailboxes",
  "GET /api/v1/domains",
  "GET /api/v1/campaigns/:id",
  "GET /api/v1/campaigns/:id/metrics",
  "GET /api/v1/campaigns/:id/prospects.csv",
  "GET /api/v1/metrics",
  "GET /api/v1/account/limits",
  "GET /api/v1/account/usage",
  // CSV exports and the per-day series answer whole documents, not pages.
  "GET /api/v1/campaigns/:id/metrics.csv",
  "GET /api/v1/metrics.csv",
  "GET /api/v1/metrics/daily",
  // The stage editor's picker: the team's newest 200 files.
  "GET /api/v1/attachments",
]);

/** Cursors no list gave out, as a client might send them. */
const BAD_CURSORS: Record<string, string> = {
  "not base64": "%%%",
  "base64 of text that is not JSON": "bm90LWpzb24",
  'base64 of JSON of the wrong shape ({"wrong":"shape"})': "eyJ3cm9uZyI6InNoYXBlIn0",
};

const InvalidCursorBody = z.object({
  error: z.object({
    code: z.literal("invalid_cursor"),
    message: z.string().regex(/cursor/i),
    issues: z.array(z.object({ path: z.literal("cursor"), message: z.string() })).length(1),
  }),
});

const Page = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  nextCursor: z.string().optional(),
});

describe("JSON API: list cursors", () => {
  it("has a case for every GET route, a paged list or not", () => {
    const gets = apiRouter.list().filter((r) => r.startsWith("GET "));
    expect(gets.length).toBeGreaterThan(0);
    const missing = gets.filter((r) => !(r in LIST_CASES) && !NOT_PAGED.has(r));
    expect(missing, `add a cursor case (or NOT_PAGED) for: ${missing.join(", ")}`).toEqual([]);
    const stale = [...Object.keys(LIST_CASES), ...NOT_PAGED].filter((r) => !gets.includes(r));
    expect(stale, "cases for routes that no longer exist").toEqual([]);
  });

  for (const [route, c] of Object.entries(LIST_CASES)) {
    for (const [what, cursor] of Object.entries(BAD_CURSORS)) {
      it(`${route} answers a cursor that is ${what} with 400 invalid_cursor`, async () => {
        const res = await api(w.team.key, "GET", `${c.path()}cursor=${cursor}`);
        expect(res.status).toBe(400);
        InvalidCursorBody.parse(await res.json());
      });
    }

    it(`${route} walks its own cursors through every item once`, async () => {
      const seen: unknown[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const res = await api(w.team.key, "GET", `${c.path()}limit=1${after}`);
        expect(res.status, await res.clone().text()).toBe(200);
        const body = Page.parse(await res.json());
        seen.push(...body.items.map((item) => item[c.key]));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(c.count);
      expect(new Set(seen).size).toBe(c.count);
    });
  }

  it("treats an empty cursor as the first page", async () => {
    const res = await api(w.team.key, "GET", "/api/v1/people?cursor=&limit=1");
    expect(res.status).toBe(200);
    expect(Page.parse(await res.json()).items).toHaveLength(1);
  });

  it("answers a bad limit with 422, not a cursor error", async () => {
    const res = await api(w.team.key, "GET", "/api/v1/jobs?limit=500");
    expect(res.status).toBe(422);
  });
});

/** The list pages, each with a filter that a bad cursor must not lose. */
const LIST_PAGES: Record<string, { path: () => string; kept?: string }> = {
  "/people": { path: () => "/people?q=ann&", kept: 'value="ann"' },
  "/jobs": { path: () => "/jobs?" },
  "/campaigns": { path: () => "/campaigns?status=active&", kept: 'value="active" selected' },
  "/campaigns/:id": { path: () => `/campaigns/${w.campaignId}?sort=name&` },
  "/email-log": { path: () => "/email-log?status=sent&", kept: 'value="sent" selected' },
};

describe("list pages: a link with a bad cursor", () => {
  for (const [name, p] of Object.entries(LIST_PAGES)) {
    for (const [what, cursor] of Object.entries(BAD_CURSORS)) {
      it(`${name} answers a cursor that is ${what} with 400 and the first page`, async () => {
        const res = await page(w.team.cookie, `${p.path()}cursor=${cursor}`);
        expect(res.status).toBe(400);
        const text = await html(res);
        expect(text).toContain("page position (cursor) is not one this list gave out");
        if (p.kept) expect(text).toContain(p.kept);
      });
    }
  }
});
