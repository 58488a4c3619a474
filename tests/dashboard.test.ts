import { env } from "cloudflare:workers";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fakePeople, seedEngagement, stageIds } from "./helpers/engagement";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

/*
 * The team dashboard (/dashboard) and its CSV downloads, through the Remix build with a
 * session cookie. Engagement is arranged in D1's per-person engagement table, whose
 * triggers keep the counters the metrics read (tests/helpers/engagement.ts).
 */

const Created = z.object({ id: z.string() });
const today = new Date().toISOString().slice(0, 10);

let owner: TestUser;
let calm: TestUser;
let alpha: string;
let beta: string;
let jobId: string;
let cappedBox: string;
let otherTeamBox: string;

async function people(team: TestUser, n: number, label: string): Promise<string[]> {
  return insertPeople(
    db(env),
    team.teamId,
    team.userId,
    Array.from({ length: n }, (_, i) => ({
      firstName: `${label}${i}`,
      emails: [
        {
          address: `${label.toLowerCase()}${i}-${crypto.randomUUID().slice(0, 6)}@example.com`,
          type: "personal" as const,
        },
      ],
    })),
  );
}

async function campaign(
  team: TestUser,
  name: string,
  mailboxId: string,
  personIds: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await api(team.key, "POST", "/api/v1/campaigns", {
    name,
    ...extra,
    // A day's delay: nobody is sent anything while the test reads the figures.
    stages: [
      { type: "email", delayMinutes: 1440, mailboxId, subject: "Hi {{firstName}}", body: "Hello" },
    ],
  });
  expect(res.status).toBe(201);
  const { id } = Created.parse(await res.json());
  if (personIds.length > 0) {
    const enrolled = await api(team.key, "POST", `/api/v1/campaigns/${id}/prospects`, {
      personIds,
    });
    expect(enrolled.status).toBe(200);
  }
  return id;
}

beforeAll(async () => {
  owner = await makeTeam("dash");
  calm = await makeTeam("calm");
  const capped = await createMailbox(env, owner, {
    address: "capped@beacon.test",
    name: "Cap Ped",
    dailyCap: 40,
  });
  const open = await createMailbox(env, owner, { address: "open@beacon.test", name: "Open Box" });
  const foreign = await createMailbox(env, calm, { address: "calm@beacon.test", name: "Calm Box" });
  if (!capped.ok || !open.ok || !foreign.ok) throw new Error("mailbox");
  cappedBox = capped.mailbox.id;
  otherTeamBox = foreign.mailbox.id;
  const job = await api(owner.key, "POST", "/api/v1/jobs", {
    title: "Platform engineer",
    stages: ["Applied"],
  });
  expect(job.status).toBe(201);
  jobId = Created.parse(await job.json()).id;

  // Alpha: 10 people, 1 replied (10%), 3 bounced and 1 complaint (both far over the rules).
  const alphaPeople = await people(owner, 10, "Al");
  alpha = await campaign(owner, "Alpha outreach", cappedBox, alphaPeople, { jobId });
  const [a1] = await stageIds(owner.key, alpha);
  const at = { teamId: owner.teamId, campaignId: alpha, stageId: a1, mailboxId: cappedBox };
  await seedEngagement({ ...at, metric: "reached", people: alphaPeople });
  await seedEngagement({ ...at, metric: "opened", people: alphaPeople.slice(0, 4) });
  await seedEngagement({ ...at, metric: "opened", people: alphaPeople.slice(4, 6), machine: true });
  await seedEngagement({ ...at, metric: "replied", people: alphaPeople.slice(0, 1) });
  await seedEngagement({ ...at, metric: "bounced", people: alphaPeople.slice(7, 10) });
  await seedEngagement({ ...at, metric: "spam", people: alphaPeople.slice(6, 7) });

  // Beta: 4 people, 2 replied (50%): ranked first.
  const betaPeople = await people(owner, 4, "Be");
  beta = await campaign(owner, "Beta outreach", open.mailbox.id, betaPeople);
  const [b1] = await stageIds(owner.key, beta);
  const bt = { teamId: owner.teamId, campaignId: beta, stageId: b1, mailboxId: open.mailbox.id };
  await seedEngagement({ ...bt, metric: "reached", people: betaPeople });
  await seedEngagement({ ...bt, metric: "replied", people: betaPeople.slice(0, 2) });

  // Calm team: 100 sent, 3 bounced (3%: a warning), no complaints.
  const quiet = await campaign(calm, "Calm campaign", foreign.mailbox.id, []);
  const [q1] = await stageIds(calm.key, quiet);
  const qt = { teamId: calm.teamId, campaignId: quiet, stageId: q1, mailboxId: foreign.mailbox.id };
  const sent = fakePeople("calm", 100);
  await seedEngagement({ ...qt, metric: "reached", people: sent });
  await seedEngagement({ ...qt, metric: "bounced", people: sent.slice(0, 3) });
});

/** The text of the <li> of one sender-health metric. */
function healthItem(body: string, metric: "bounce" | "complaint") {
  const m = new RegExp(`<li class="(\\w+)" data-metric="${metric}"[^>]*>([\\s\\S]*?)</li>`).exec(
    body,
  );
  return m ? { level: m[1], text: m[2].replace(/<[^>]+>/g, "").replaceAll("&#x27;", "'") } : null;
}

describe("/dashboard", () => {
  it("shows the team's figures, ranks campaigns by reply rate and draws the charts", async () => {
    const res = await page(owner.cookie, "/dashboard");
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("2 campaigns, 14 people");
    // Replied: 3 of 14 people = 21%; opened (human): 4 of 14 = 29%.
    expect(body).toMatch(/<dt>Replied<\/dt><dd><strong>21%<\/strong> <span[^>]*>3 people/);
    expect(body).toMatch(/<dt>Opened<\/dt><dd><strong>29%<\/strong> <span[^>]*>4 people/);
    expect(body.indexOf("Beta outreach")).toBeGreaterThan(0);
    expect(body.indexOf("Beta outreach")).toBeLessThan(body.indexOf("Alpha outreach"));
    // Three charts, each an accessible svg with its numbers in words.
    expect(body.match(/<svg[^>]*role="img"/g)?.length).toBe(3);
    expect(body).toContain("Reached 14, Opened 4 (29% of reached)");
    expect(body).toContain("Limit 5,000");
    expect(body).toContain('href="/dashboard"');
  });

  it("counts machine opens only with ?include=all", async () => {
    const body = await html(await page(owner.cookie, "/dashboard?include=all"));
    expect(body).toMatch(/<dt>Opened<\/dt><dd><strong>43%<\/strong> <span[^>]*>6 people/);
    expect(body).toContain("All figures: machine opens and clicks are counted too.");
  });

  it("warns when bounces and complaints are over the providers' thresholds, citing the rule", async () => {
    const body = await html(await page(owner.cookie, "/dashboard"));
    // 3 bounced and 1 complaint of 14 sent.
    expect(healthItem(body, "bounce")).toMatchObject({ level: "alarm" });
    expect(healthItem(body, "bounce")?.text).toContain("bounce rate 21%");
    expect(healthItem(body, "complaint")).toMatchObject({ level: "alarm" });
    expect(healthItem(body, "complaint")?.text).toContain("(1 of 14 messages sent)");
    expect(healthItem(body, "complaint")?.text).toContain(
      "Gmail's and Yahoo's sender rules (February 2024): keep the spam complaint rate under 0.3%, ideally under 0.1%",
    );

    const quiet = await html(await page(calm.cookie, "/dashboard"));
    expect(healthItem(quiet, "bounce")).toMatchObject({ level: "warning" });
    expect(healthItem(quiet, "bounce")?.text).toContain("Warning: bounce rate 3%");
    expect(healthItem(quiet, "complaint")).toMatchObject({ level: "ok" });
    // Another team's campaigns never show.
    expect(quiet).not.toContain("Alpha outreach");
  });

  it("filters by job and mailbox; a mailbox's own cap is the chart's limit", async () => {
    const byJob = await html(await page(owner.cookie, `/dashboard?job=${jobId}`));
    expect(byJob).toContain("Alpha outreach");
    expect(byJob).not.toContain("Beta outreach");
    expect(byJob).toContain("1 campaign, 10 people");

    const byBox = await html(await page(owner.cookie, `/dashboard?mailbox=${cappedBox}`));
    expect(byBox).toContain("Limit 40");
    expect(byBox).toContain("Cap Ped &lt;capped@beacon.test&gt;&#x27;s daily cap 40 a day");
  });

  it("filters by date range: nothing happened in 2020", async () => {
    const body = await html(await page(owner.cookie, "/dashboard?from=2020-01-01&to=2020-01-31"));
    expect(body).toMatch(/<dt>Replied<\/dt><dd><strong>0%<\/strong>/);
    expect(body).toContain("Nothing was sent in this period.");
    expect(body).toContain("Jan 1 to Jan 31");
  });

  it("names a bad filter beside its field and still applies the good ones (400)", async () => {
    const res = await page(
      owner.cookie,
      `/dashboard?owner=nobody&job=${jobId}&from=2026-02-30&mailbox=${otherTeamBox}`,
    );
    expect(res.status).toBe(400);
    const body = await html(res);
    expect(body).toContain("No member of this team has that id: choose an owner from the list");
    expect(body).toContain("That date does not exist");
    expect(body).toContain("This team has no such mailbox: choose one from the list");
    expect(body).toMatch(
      /<select[^>]*aria-invalid="true"[^>]*name="owner"|<select[^>]*name="owner"[^>]*aria-invalid="true"/,
    );
    // The job filter was good: only Alpha.
    expect(body).not.toContain("Beta outreach");
    expect(body).toContain("1 campaign, 10 people");
  });

  it("refuses a range that ends before it starts", async () => {
    const res = await page(owner.cookie, "/dashboard?from=2026-12-05&to=2026-12-01");
    expect(res.status).toBe(400);
    expect(await html(res)).toContain("The end date is before the start date");
  });

  it("needs a session", async () => {
    const res = await page(null, "/dashboard");
    expect([302, 303, 401]).toContain(res.status);
  });
});

describe("CSV downloads", () => {
  it("/dashboard.csv lists the filtered total, then campaigns by reply rate", async () => {
    const res = await page(owner.cookie, "/dashboard.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^Campaign ID,Campaign,Status,Prospects,Reached people,Reached rate,/);
    expect(lines[1]).toMatch(/^,All matching campaigns,,14,14,1,/);
    expect(lines[2]).toMatch(new RegExp(`^${beta},Beta outreach,active,4,`));
    expect(lines[3]).toMatch(new RegExp(`^${alpha},Alpha outreach,active,10,`));
    const header = lines[0].split(",");
    const replied = header.indexOf("Replied rate");
    expect(lines[2].split(",")[replied]).toBe("0.5");
    expect(lines[3].split(",")[replied]).toBe("0.1");
  });

  it("/dashboard/daily.csv has today's sends, opens, replies, bounces and complaints", async () => {
    const res = await page(owner.cookie, "/dashboard/daily.csv");
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("Day,Sent,Opened,Clicked,Replied,Bounced,Complained");
    expect(lines).toContain(`${today},14,4,0,3,3,1`);
    expect(lines).toHaveLength(31);
  });

  it("answers 422 naming a bad filter, and needs a session", async () => {
    const bad = await page(owner.cookie, "/dashboard.csv?to=yesterday");
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("to: Enter a date as YYYY-MM-DD");
    const csv = await page(calm.cookie, `/dashboard.csv?job=${jobId}`);
    expect(csv.status).toBe(422);
    const anonymous = await page(null, "/dashboard.csv");
    expect(anonymous.status).not.toBe(200);
  });
});
