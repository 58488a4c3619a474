import { env } from "cloudflare:workers";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { seedEngagement, stageIds } from "./helpers/engagement";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

/*
 * The campaign page's Metrics section and its Activate confirm step (deliverability
 * findings), through the Remix build with a session cookie. Engagement is arranged in
 * D1's per-person engagement table, whose triggers keep the counters the page reads.
 */

const Created = z.object({ id: z.string() });
const CampaignRead = z.object({ status: z.string() });

let owner: TestUser;
let mailboxId: string;
let campaignId: string;

async function people(n: number): Promise<string[]> {
  return insertPeople(
    db(env),
    owner.teamId,
    owner.userId,
    Array.from({ length: n }, (_, i) => ({
      firstName: `Mia${i}`,
      emails: [
        {
          address: `mia${i}-${crypto.randomUUID().slice(0, 6)}@example.com`,
          type: "personal" as const,
        },
      ],
    })),
  );
}

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await api(owner.key, "POST", "/api/v1/campaigns", body);
  expect(res.status).toBe(201);
  return Created.parse(await res.json()).id;
}

beforeAll(async () => {
  owner = await makeTeam("metricspage");
  const box = await createMailbox(env, owner, { address: "mp@beacon.test", name: "Mo Page" });
  if (!box.ok) throw new Error(box.message);
  mailboxId = box.mailbox.id;
  const ids = await people(5);
  campaignId = await create({
    name: "Metrics campaign",
    stages: [
      { type: "email", delayMinutes: 1440, mailboxId, subject: "Hi {{firstName}}", body: "Hello" },
      { type: "email", delayMinutes: 2880, mailboxId, subject: "Following up", body: "Again" },
      { type: "call", delayMinutes: 2880, title: "Intro call" },
    ],
  });
  const enrolled = await api(owner.key, "POST", `/api/v1/campaigns/${campaignId}/prospects`, {
    personIds: ids,
  });
  expect(enrolled.status).toBe(200);
  const [s1, s2] = await stageIds(owner.key, campaignId);
  const at = { teamId: owner.teamId, campaignId, mailboxId };
  // Stage 1 reached all 5: 3 opened (and 1 more by a machine), 1 clicked, 1 replied.
  await seedEngagement({ ...at, stageId: s1, metric: "reached", people: ids });
  await seedEngagement({ ...at, stageId: s1, metric: "opened", people: ids.slice(0, 3) });
  await seedEngagement({ ...at, stageId: s1, metric: "opened", people: [ids[3]], machine: true });
  await seedEngagement({ ...at, stageId: s1, metric: "clicked", people: [ids[0]] });
  await seedEngagement({ ...at, stageId: s1, metric: "replied", people: [ids[0]] });
  // Stage 2 reached 2 of those who did not reply; 1 of them replied there.
  await seedEngagement({ ...at, stageId: s2, metric: "reached", people: ids.slice(1, 3) });
  await seedEngagement({ ...at, stageId: s2, metric: "replied", people: [ids[1]] });
});

/** The text of one cell (by its column) in a stage's row of the By stage table; "" if none. */
function cell(body: string, stage: number, column: string): string {
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
  const row = rows.find((r) => r.includes(`<span class="stage-number">${stage}</span>`)) ?? "";
  const td = new RegExp(`<td data-label="${column}">([\\s\\S]*?)</td>`).exec(row);
  return td
    ? td[1]
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim()
    : "";
}

describe("campaign page Metrics section", () => {
  it("shows each stage's rates of all people and of people reached, totals and charts", async () => {
    const res = await page(owner.cookie, `/campaigns/${campaignId}`);
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain('id="metrics-title"');
    // Stage 1: opened 3 of 5 people, 3 of 5 reached.
    expect(cell(body, 1, "Opened")).toBe("3 60% of all · 60% of reached");
    // Stage 2: reached 2 (40% of all), replied 1: 20% of all, 50% of reached.
    expect(cell(body, 2, "Reached")).toBe("2 40% of all");
    expect(cell(body, 2, "Replied")).toBe("1 20% of all · 50% of reached");
    // The call stage has no engagement row.
    expect(cell(body, 3, "Reached")).toBe("");
    expect(body).toContain("Email: Following up");
    // Totals: 2 different people replied (40%).
    expect(body).toMatch(/<dt>Replied<\/dt><dd><strong>40%<\/strong> <span[^>]*>2 people/);
    // The funnel and the per-day chart, as accessible svgs with the numbers in words.
    expect(body).toContain(
      "Reached 5, Opened 3 (60% of reached), Clicked 1 (20% of reached), Replied 2 (40% of reached)",
    );
    expect(body.match(/<svg[^>]*role="img"/g)?.length).toBe(2);
    // Per day: 7 messages (5 at stage 1, 2 at stage 2), 3 first opens, 2 replies (one a stage).
    expect(body).toMatch(/: 7 sent, 3 opened, 2 replied\./);
    // The stage list's rates read the same counters.
    expect(body).toContain('<span title="3 people">Opened 60%</span>');
  });

  it("counts the machine open with ?include=all, and the toggle keeps the other parameters", async () => {
    const body = await html(
      await page(owner.cookie, `/campaigns/${campaignId}?include=all&sort=name`),
    );
    expect(cell(body, 1, "Opened")).toBe("4 80% of all · 80% of reached");
    expect(body).toContain(`href="/campaigns/${campaignId}?sort=name"`);
    expect(body).toMatch(/aria-current="true"[^>]*>All<|>All<\/a>/);
  });
});

describe("Activate with deliverability findings", () => {
  it("lists the findings in a confirm step; activating anyway works", async () => {
    const id = await create({
      name: "Loud draft",
      status: "draft",
      unsubscribeLink: false,
      stages: [
        {
          type: "email",
          delayMinutes: 1440,
          mailboxId,
          subject: "FREE MONEY NOW!!!",
          body: "Act now.",
        },
      ],
    });
    const body = await html(await page(owner.cookie, `/campaigns/${id}`));
    expect(body).toContain("Activate…");
    expect(body).toContain("Before you activate:");
    expect(body).toContain("The subject is mostly capital letters");
    expect(body).toContain("The subject has repeated punctuation (“!!!”)");
    expect(body).toContain("“free money”");
    expect(body).toContain("There is no visible unsubscribe link");
    expect(body).toContain("Activate anyway");

    // Findings never block: the same form activates.
    const res = await page(owner.cookie, `/campaigns/${id}`, { intent: "activate" });
    expect(res.status).toBe(200);
    const read = await api(owner.key, "GET", `/api/v1/campaigns/${id}`);
    expect(CampaignRead.parse(await read.json()).status).toBe("active");
  });

  it("the API's activate answers the findings and activates all the same", async () => {
    const id = await create({
      name: "Loud API draft",
      status: "draft",
      stages: [
        {
          type: "email",
          delayMinutes: 1440,
          mailboxId,
          subject: "Hi {{firstName}}???",
          body: "Hello",
        },
      ],
    });
    const res = await api(owner.key, "POST", `/api/v1/campaigns/${id}/activate`);
    expect(res.status).toBe(200);
    const body = z
      .object({
        status: z.string(),
        stages: z.array(z.object({ id: z.string() })),
        findings: z.array(
          z.object({
            stageId: z.string(),
            stageIndex: z.number(),
            code: z.string(),
            severity: z.string(),
            field: z.string(),
          }),
        ),
      })
      .parse(await res.json());
    expect(body.status).toBe("active");
    expect(body.findings).toEqual([
      expect.objectContaining({
        stageId: body.stages[0].id,
        stageIndex: 0,
        code: "excessive_punctuation",
        severity: "warning",
        field: "subject",
      }),
    ]);
    const disabled = await api(owner.key, "POST", `/api/v1/campaigns/${id}/disable`);
    expect(await disabled.json()).not.toHaveProperty("findings");
  });

  it("a clean draft activates in one step", async () => {
    const id = await create({
      name: "Quiet draft",
      status: "draft",
      stages: [
        {
          type: "email",
          delayMinutes: 1440,
          mailboxId,
          subject: "Hi {{firstName}}",
          body: "Hello {{firstName}}",
        },
      ],
    });
    const body = await html(await page(owner.cookie, `/campaigns/${id}`));
    expect(body).not.toContain("Before you activate:");
    expect(body).toMatch(/<button[^>]*name="intent"[^>]*value="activate"[^>]*>Activate<\/button>/);
  });
});
