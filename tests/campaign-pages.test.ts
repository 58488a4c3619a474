import { env, exports } from "cloudflare:workers";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db, schema } from "@workers/db/client";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

/*
 * The campaign pages as a browser without JavaScript uses them: GET pages and POST forms
 * with the session cookie. Data is arranged through the JSON API (as a user would with a
 * key); every behaviour checked is the page's own (its loader or action).
 */

const Created = z.object({ id: z.string() });
const ProspectPage = z.object({
  items: z.array(
    z.object({ personId: z.string(), status: z.string(), reason: z.string().optional() }),
  ),
});

let owner: TestUser;
let outsider: TestUser;
let mailboxId: string;

beforeAll(async () => {
  owner = await makeTeam("pages");
  outsider = await makeTeam("outsider");
  const box = await createMailbox(env, owner, { address: "pages@beacon.test", name: "Pat Pages" });
  if (!box.ok) throw new Error(box.message);
  mailboxId = box.mailbox.id;
});

async function people(names: string[]): Promise<string[]> {
  return insertPeople(
    db(env),
    owner.teamId,
    owner.userId,
    names.map((n) => ({
      firstName: n,
      lastName: "Tester",
      emails: [
        {
          address: `${n.toLowerCase()}-${crypto.randomUUID().slice(0, 6)}@example.com`,
          type: "personal",
        },
      ],
    })),
  );
}

/** A campaign whose first email waits a day, so its prospects stay Active with a Waiting message. */
async function campaign(name: string, personIds: string[] = []): Promise<string> {
  const res = await api(owner.key, "POST", "/api/v1/campaigns", {
    name,
    stages: [
      { type: "email", delayMinutes: 1440, mailboxId, subject: "Hi {{firstName}}", body: "Hello" },
      { type: "call", delayMinutes: 2880, title: "Intro call" },
    ],
  });
  expect(res.status).toBe(201);
  const { id } = Created.parse(await res.json());
  if (personIds.length > 0) {
    const enrolled = await api(owner.key, "POST", `/api/v1/campaigns/${id}/prospects`, {
      personIds,
    });
    expect(enrolled.status).toBe(200);
  }
  return id;
}

async function statusOf(campaignId: string, personId: string) {
  const res = await api(owner.key, "GET", `/api/v1/campaigns/${campaignId}/prospects`);
  return ProspectPage.parse(await res.json()).items.find((p) => p.personId === personId);
}

/** A form POST with repeated fields (checkbox lists), as a browser sends it. */
function postForm(cookie: string, path: string, fields: [string, string][]) {
  return exports.default.fetch(`http://localhost${path}`, {
    method: "POST",
    headers: { Cookie: cookie, Origin: "http://localhost" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

describe("Outreach tab and campaign page", () => {
  it("list the team's campaign with its prospects, and hide it from another team (404)", async () => {
    const [ann, bo] = await people(["Ann", "Bo"]);
    const id = await campaign("Backend engineers Q3", [ann, bo]);

    const list = await html(await page(owner.cookie, "/campaigns"));
    expect(list).toContain("Backend engineers Q3");
    expect(list).toContain(`href="/campaigns/${id}"`);

    const detail = await html(await page(owner.cookie, `/campaigns/${id}`));
    expect(detail).toContain("Backend engineers Q3");
    expect(detail).toContain("“Hi {{firstName}}”");
    expect(detail).toContain("1 day after enrolling");
    expect(detail).toContain("2 days later");
    expect(detail).toContain("Ann Tester");
    expect(detail).toContain("Bo Tester");
    expect(detail).toContain("1 of 2");
    expect(detail).toMatch(/<strong>2<\/strong> Active/);

    expect(await html(await page(outsider.cookie, "/campaigns"))).not.toContain(
      "Backend engineers Q3",
    );
    expect((await page(outsider.cookie, `/campaigns/${id}`)).status).toBe(404);
    expect((await page(outsider.cookie, `/campaigns/${id}/prospects.csv`)).status).toBe(404);
    const posted = await page(outsider.cookie, `/campaigns/${id}`, { intent: "disable" });
    expect(posted.status).toBe(404);
  });

  it("filters the Outreach tab by status", async () => {
    const id = await campaign("Draft to filter");
    await page(owner.cookie, `/campaigns/${id}`, { intent: "disable" });
    const disabled = await html(await page(owner.cookie, "/campaigns?status=disabled"));
    expect(disabled).toContain("Draft to filter");
    expect(disabled).not.toContain("Backend engineers Q3");
  });

  it("applies a bulk action where allowed and names the refused", async () => {
    const [cy, di] = await people(["Cy", "Di"]);
    const id = await campaign("Bulk pause", [cy, di]);
    await api(owner.key, "POST", `/api/v1/campaigns/${id}/prospects/actions`, {
      action: "pause",
      personIds: [cy],
    });
    const res = await postForm(owner.cookie, `/campaigns/${id}`, [
      ["intent", "bulk"],
      ["action", "pause"],
      ["scope", "selected"],
      ["personId", cy],
      ["personId", di],
    ]);
    expect(res.status).toBe(200);
    expect(await html(res)).toContain(
      "1 applied, 1 refused: Cannot pause a Paused prospect (Cy Tester)",
    );
    expect((await statusOf(id, di))?.status).toBe("paused");
  });

  it("enrolls picked and pasted people, refusing another team's ids", async () => {
    const [ed] = await people(["Ed"]);
    const id = await campaign("Enroll here");
    const search = await html(await page(owner.cookie, `/campaigns/${id}?find=ed`));
    expect(search).toContain(`value="${ed}"`);
    const res = await page(owner.cookie, `/campaigns/${id}`, {
      intent: "enroll",
      pastedIds: `${ed}, not-a-person`,
    });
    expect(await html(res)).toContain(
      "Enrolled 1 person. 1 refused: not one of your team's people (not-a-person).",
    );
    expect((await statusOf(id, ed))?.status).toBe("active");
    const again = await html(await page(owner.cookie, `/campaigns/${id}?find=ed`));
    const pick = new RegExp(`<input[^>]*name="pick"[^>]*value="${ed}"[^>]*>`).exec(again)?.[0];
    expect(pick).toContain('disabled=""');
    expect(again).toContain("already in this campaign");
  });

  it("exports the prospects, or only the ticked ones, as CSV", async () => {
    const [fay, gus] = await people(["Fay", "Gus"]);
    const id = await campaign("Export me", [fay, gus]);
    const all = await page(owner.cookie, `/campaigns/${id}/prospects.csv`);
    expect(all.headers.get("Content-Type")).toContain("text/csv");
    const text = await all.text();
    expect(text).toContain("Fay Tester");
    expect(text).toContain("Gus Tester");
    const one = await (
      await page(owner.cookie, `/campaigns/${id}/prospects.csv?ids=${gus}`)
    ).text();
    expect(one).toContain("Gus Tester");
    expect(one).not.toContain("Fay Tester");
  });

  it("duplicates a campaign as a draft", async () => {
    const id = await campaign("Original");
    const res = await page(owner.cookie, `/campaigns/${id}`, { intent: "duplicate" });
    expect(res.status).toBe(302);
    const location = res.headers.get("Location") ?? "";
    expect(location).toMatch(/^\/campaigns\/[\w-]+\?duplicated=1$/);
    const copy = await html(await page(owner.cookie, location));
    expect(copy).toContain("Copy of Original");
    expect(copy).toContain("Draft");
  });
});

describe("New campaign form", () => {
  const valid: [string, string][] = [
    ["name", "Form made"],
    ["status", "active"],
    ["stages[0].type", "email"],
    ["stages[0].delayValue", "0"],
    ["stages[0].delayUnit", "days"],
    ["stages[0].subject", "Hello {{firstName}}"],
    ["stages[0].body", "A role for you"],
    ["stages[0].emailPriority", "work_first"],
    ["stages[1].type", "task"],
    ["stages[1].delayValue", "2"],
    ["stages[1].delayUnit", "days"],
    ["stages[1].title", "Connect on LinkedIn"],
  ];

  it("names each bad field and keeps what was typed", async () => {
    const res = await postForm(owner.cookie, "/campaigns/new", [
      ["name", ""],
      ["status", "active"],
      ["stages[0].type", "email"],
      ["stages[0].delayValue", "-1"],
      ["stages[0].delayUnit", "days"],
      ["stages[0].subject", ""],
      ["stages[0].body", "Dear {{fristName}}"],
      ["windowOn", "on"],
      ["windowStart", "17:00"],
      ["windowEnd", "09:00"],
      ["windowDays", "1"],
    ]);
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Enter the campaign name");
    expect(body).toContain("The delay cannot be negative");
    expect(body).toContain("Enter the subject");
    expect(body).toContain("Choose the mailbox this email is sent from");
    expect(body).toContain("Unknown merge field {{fristName}}");
    expect(body).toContain("The window must end after it starts");
    expect(body).toContain("Dear {{fristName}}");
  });

  it("refuses another team's mailbox by field", async () => {
    const theirs = await createMailbox(env, outsider, { address: "x@other.test", name: "X" });
    if (!theirs.ok) throw new Error(theirs.message);
    const res = await postForm(owner.cookie, "/campaigns/new", [
      ...valid,
      ["stages[0].mailboxId", theirs.mailbox.id],
    ]);
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("No such mailbox in your team");
  });

  it("refuses a file that is not one of the team's uploads, by field", async () => {
    const res = await postForm(owner.cookie, "/campaigns/new", [
      ...valid,
      ["stages[0].mailboxId", mailboxId],
      [
        "stages[0].attachments",
        JSON.stringify([{ id: crypto.randomUUID(), name: "Offer.pdf", size: 10 }]),
      ],
    ]);
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("Attachment 1 is not one of your team’s files");
  });

  it("creates the campaign with delays in minutes and opens it", async () => {
    const res = await postForm(owner.cookie, "/campaigns/new", [
      ...valid,
      ["stages[0].mailboxId", mailboxId],
    ]);
    expect(res.status).toBe(302);
    const id = /^\/campaigns\/([\w-]+)\?created=1$/.exec(res.headers.get("Location") ?? "")?.[1];
    expect(id).toBeTruthy();
    const view = z
      .object({
        name: z.string(),
        status: z.string(),
        stages: z.array(z.object({ type: z.string(), delayMinutes: z.number() })),
      })
      .parse(await (await api(owner.key, "GET", `/api/v1/campaigns/${id}`)).json());
    expect(view).toMatchObject({
      name: "Form made",
      status: "active",
      stages: [
        { type: "email", delayMinutes: 0 },
        { type: "task", delayMinutes: 2880 },
      ],
    });
  });
});

describe("profile Outreach section", () => {
  it("shows the person's campaign, and a quick action changes their status", async () => {
    const [hal] = await people(["Hal"]);
    const id = await campaign("Profile actions", [hal]);
    const profile = await html(await page(owner.cookie, `/people/${hal}`));
    expect(profile).toContain("Profile actions");
    expect(profile).toContain("Stage 1 of 2");
    expect(profile).toMatch(/<button[^>]*value="pause"[^>]*>Pause<\/button>/);

    const res = await page(owner.cookie, `/people/${hal}/outreach`, {
      intent: "act",
      campaignId: id,
      action: "pause",
    });
    expect(res.status).toBe(302);
    const back = res.headers.get("Location") ?? "";
    expect(back).toMatch(new RegExp(`^/people/${hal}\\?outreach=`));
    expect((await statusOf(id, hal))?.status).toBe("paused");
    const after = await html(await page(owner.cookie, back));
    expect(after).toContain("Profile actions: Paused. Status: Paused.");
    expect(after).toMatch(/<button[^>]*value="unpause"[^>]*>Unpause<\/button>/);

    const again = await page(owner.cookie, `/people/${hal}/outreach`, {
      intent: "act",
      campaignId: id,
      action: "pause",
    });
    const refused = new URL(again.headers.get("Location") ?? "", "http://localhost");
    expect(refused.searchParams.get("tone")).toBe("error");
    expect(refused.searchParams.get("outreach")).toContain("Cannot pause a Paused prospect");

    const replied = await page(owner.cookie, `/people/${hal}/outreach`, {
      intent: "act",
      campaignId: id,
      action: "mark_replied",
    });
    expect(replied.status).toBe(302);
    expect(await statusOf(id, hal)).toMatchObject({ status: "replied", reason: "marked_replied" });
  });

  it("adds the person to another campaign, and refuses another team's campaign", async () => {
    const [ivy] = await people(["Ivy"]);
    const id = await campaign("Add from profile");
    const res = await page(owner.cookie, `/people/${ivy}/outreach`, {
      intent: "enroll",
      campaignId: id,
    });
    expect(
      new URL(res.headers.get("Location") ?? "", "http://localhost").searchParams.get("outreach"),
    ).toBe("Add from profile: Enrolled 1 person.");
    expect((await statusOf(id, ivy))?.status).toBe("active");

    const theirs = await api(outsider.key, "POST", "/api/v1/campaigns", {
      name: "Not yours",
      stages: [{ type: "task", delayMinutes: 0, title: "x" }],
    });
    const { id: theirId } = Created.parse(await theirs.json());
    const cross = await page(owner.cookie, `/people/${ivy}/outreach`, {
      intent: "act",
      campaignId: theirId,
      action: "pause",
    });
    expect(cross.status).toBe(404);
  });
});

describe("Email Log", () => {
  async function waitingMessage(personId: string, campaignId: string) {
    const row = await db(env).query.emailLog.findFirst({
      where: and(
        eq(schema.emailLog.personId, personId),
        eq(schema.emailLog.campaignId, campaignId),
      ),
    });
    if (!row) throw new Error("no Email Log row");
    return row;
  }

  it("cancels a Waiting message: Canceled, prospect Not Delivered; a second cancel is refused", async () => {
    const [jo] = await people(["Jo"]);
    const id = await campaign("Log cancel", [jo]);
    const message = await waitingMessage(jo, id);
    expect(message.status).toBe("waiting");

    const log = await html(await page(owner.cookie, `/email-log?campaignId=${id}`));
    expect(log).toContain("Jo Tester");
    expect(log).toContain("Waiting");
    expect(log).toContain('value="cancel"');

    const res = await page(owner.cookie, "/email-log", { intent: "cancel", messageId: message.id });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("Canceled the email to Jo Tester");
    expect((await waitingMessage(jo, id)).status).toBe("canceled");
    expect(await statusOf(id, jo)).toMatchObject({ status: "not_delivered", reason: "canceled" });

    const again = await html(
      await page(owner.cookie, "/email-log", { intent: "cancel", messageId: message.id }),
    );
    expect(again).toContain("Not done: Only a Waiting message can be canceled");

    const retried = await html(
      await page(owner.cookie, "/email-log", { intent: "retry", messageId: message.id }),
    );
    expect(retried).toContain("Retrying the email to Jo Tester");
    expect((await statusOf(id, jo))?.status).toBe("active");
  });

  it("does not show or act on another team's messages", async () => {
    const [kim] = await people(["Kim"]);
    const id = await campaign("Log private", [kim]);
    const message = await waitingMessage(kim, id);
    expect(await html(await page(outsider.cookie, "/email-log"))).not.toContain(message.id);
    const res = await page(outsider.cookie, "/email-log", {
      intent: "cancel",
      messageId: message.id,
    });
    expect(res.status).toBe(404);
    expect((await waitingMessage(kim, id)).status).toBe("waiting");
  });
});
