/**
 * The task queue (issue #9): GET /api/v1/tasks and the Tasks page list the call and task
 * stages Active prospects wait at, earliest due first; email stages never; `me` is the
 * caller's campaigns, `all` the team's; Complete / Skip take a row off.
 */
import { env } from "cloudflare:workers";
import { clock } from "@workers/clock";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { addMember, api, html, makeTeam, page, type TestUser } from "./helpers/teams";

const Created = z.object({ id: z.string() });
const TaskRowSchema = z
  .object({
    campaignId: z.string(),
    personId: z.string(),
    stageId: z.string(),
    type: z.enum(["call", "task"]),
    title: z.string(),
    dueAt: z.iso.datetime(),
  })
  .strict();
const TaskPageSchema = z.object({
  items: z.array(TaskRowSchema),
  nextCursor: z.string().optional(),
});
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const DAY_MS = 86_400_000;

type Stage =
  | { type: "call" | "task"; delayMinutes: number; title: string }
  | { type: "email"; delayMinutes: number; subject: string; body: string };

async function people(team: TestUser, names: string[]): Promise<string[]> {
  return insertPeople(
    db(env),
    team.teamId,
    team.userId,
    names.map((n) => ({
      firstName: n,
      lastName: "Caller",
      emails: [
        {
          address: `${n.toLowerCase()}-${crypto.randomUUID().slice(0, 6)}@example.com`,
          type: "personal",
        },
      ],
      phones: [{ number: "+1 555 010 2030", type: "mobile" }],
    })),
  );
}

/** A campaign of `team` made with `by`'s key (its owner), with these people enrolled. */
async function campaign(by: TestUser, stages: Stage[], personIds: string[], name = "Calls") {
  const res = await api(by.key, "POST", "/api/v1/campaigns", { name, stages });
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = Created.parse(await res.json());
  if (personIds.length > 0) {
    const enrolled = await api(by.key, "POST", `/api/v1/campaigns/${id}/prospects`, {
      personIds,
      force: true,
    });
    expect(enrolled.status, await enrolled.clone().text()).toBe(200);
  }
  return id;
}

async function tasks(key: string, query = "") {
  const res = await api(key, "GET", `/api/v1/tasks${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return TaskPageSchema.parse(await res.json()).items;
}

const call = (title: string, delayMinutes = 0): Stage => ({ type: "call", delayMinutes, title });
const task = (title: string, delayMinutes = 0): Stage => ({ type: "task", delayMinutes, title });
const email = (delayMinutes = 0): Stage => ({
  type: "email",
  delayMinutes,
  subject: "Hello",
  body: "Hi {{firstName}}",
});

describe("GET /api/v1/tasks", () => {
  let owner: TestUser;
  let mate: TestUser;
  let outsider: TestUser;
  beforeAll(async () => {
    owner = await makeTeam("tasks");
    mate = await addMember(owner, "mate", "member");
    outsider = await makeTeam("tasks-out");
  });

  it("lists a due call with its stage's title and due time", async () => {
    const [ann] = await people(owner, ["Ann"]);
    const before = clock.now();
    const id = await campaign(owner, [call("Intro call"), task("Send the brief")], [ann]);
    const after = clock.now();
    const items = (await tasks(owner.key)).filter((t) => t.campaignId === id);
    expect(items).toHaveLength(1);
    const [row] = items;
    expect(row).toMatchObject({ personId: ann, type: "call", title: "Intro call" });
    // A first stage with no delay is due the moment the person was enrolled.
    expect(Date.parse(row.dueAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(row.dueAt)).toBeLessThanOrEqual(after);
  });

  it("never lists a prospect waiting at an email stage, due or not", async () => {
    const [bo] = await people(owner, ["Bo"]);
    const id = await campaign(owner, [email(1440), call("Later call")], [bo], "Emails first");
    for (const when of ["due", "upcoming", "all"]) {
      const rows = await tasks(owner.key, `?assignee=all&when=${when}`);
      expect(rows.filter((t) => t.campaignId === id)).toEqual([]);
    }
  });

  it("keeps a stage whose delay has not run out for when=upcoming", async () => {
    const [cy] = await people(owner, ["Cy"]);
    const before = clock.now();
    const id = await campaign(owner, [task("Check references", 2 * 1440)], [cy], "Upcoming");
    const after = clock.now();
    expect((await tasks(owner.key)).filter((t) => t.campaignId === id)).toEqual([]);
    const upcoming = (await tasks(owner.key, "?when=upcoming")).filter((t) => t.campaignId === id);
    expect(upcoming).toHaveLength(1);
    expect(Date.parse(upcoming[0].dueAt)).toBeGreaterThanOrEqual(before - 1000 + 2 * DAY_MS);
    expect(Date.parse(upcoming[0].dueAt)).toBeLessThanOrEqual(after + 2 * DAY_MS);
    const all = (await tasks(owner.key, "?when=all")).filter((t) => t.campaignId === id);
    expect(all).toHaveLength(1);
  });

  it("answers me with the caller's campaigns and all with the team's", async () => {
    const [di, ed] = await people(owner, ["Di", "Ed"]);
    const mine = await campaign(owner, [call("Owner's call")], [di], "Owner's");
    const theirs = await campaign(mate, [call("Mate's call")], [ed], "Mate's");
    const ownerMe = (await tasks(owner.key, "?assignee=me")).map((t) => t.campaignId);
    expect(ownerMe).toContain(mine);
    expect(ownerMe).not.toContain(theirs);
    const mateMe = (await tasks(mate.key, "?assignee=me")).map((t) => t.campaignId);
    expect(mateMe).toContain(theirs);
    expect(mateMe).not.toContain(mine);
    // `me` is the default.
    expect((await tasks(mate.key)).map((t) => t.campaignId)).not.toContain(mine);
    const team = (await tasks(owner.key, "?assignee=all")).map((t) => t.campaignId);
    expect(team).toEqual(expect.arrayContaining([mine, theirs]));
  });

  it("drops the row once the task is completed or skipped", async () => {
    const [fay, gus] = await people(owner, ["Fay", "Gus"]);
    const id = await campaign(owner, [task("Screen"), email(1440)], [fay, gus], "Screens");
    const actions = `/api/v1/campaigns/${id}/prospects/actions`;
    expect((await tasks(owner.key)).filter((t) => t.campaignId === id)).toHaveLength(2);
    const done = await api(owner.key, "POST", actions, {
      action: "complete_task",
      personIds: [fay],
    });
    expect(done.status, await done.clone().text()).toBe(200);
    const skipped = await api(owner.key, "POST", actions, { action: "skip", personIds: [gus] });
    expect(skipped.status, await skipped.clone().text()).toBe(200);
    expect((await tasks(owner.key, "?when=all")).filter((t) => t.campaignId === id)).toEqual([]);
  });

  it("leaves out a paused prospect and a disabled campaign", async () => {
    const [hal, ivy] = await people(owner, ["Hal", "Ivy"]);
    const id = await campaign(owner, [call("Paused call")], [hal, ivy], "Paused");
    await api(owner.key, "POST", `/api/v1/campaigns/${id}/prospects/actions`, {
      action: "pause",
      personIds: [hal],
    });
    expect(
      (await tasks(owner.key)).filter((t) => t.campaignId === id).map((t) => t.personId),
    ).toEqual([ivy]);
    const disabled = await api(owner.key, "POST", `/api/v1/campaigns/${id}/disable`);
    expect(disabled.status).toBe(200);
    expect((await tasks(owner.key)).filter((t) => t.campaignId === id)).toEqual([]);
  });

  it("never shows another team's tasks", async () => {
    const [jo] = await people(owner, ["Jo"]);
    const id = await campaign(owner, [call("Private call")], [jo], "Private");
    expect((await tasks(owner.key, "?assignee=all")).map((t) => t.campaignId)).toContain(id);
    for (const when of ["due", "all"]) {
      const rows = await tasks(outsider.key, `?assignee=all&when=${when}`);
      expect(rows.map((t) => t.campaignId)).not.toContain(id);
    }
    const filtered = await tasks(outsider.key, `?assignee=all&campaignId=${id}`);
    expect(filtered).toEqual([]);
  });

  it("answers a bad query with 400 naming the parameter", async () => {
    for (const [query, field] of [
      ["?assignee=you", "assignee"],
      ["?when=yesterday", "when"],
      ["?limit=0", "limit"],
      ["?limit=abc", "limit"],
      ["?cursor=%25%25%25", "cursor"],
    ]) {
      const res = await api(owner.key, "GET", `/api/v1/tasks${query}`);
      expect(res.status, query).toBe(400);
      const body = ErrorBody.parse(await res.json());
      expect(body.error.message, query).toContain(field);
      expect(
        body.error.issues?.map((i) => i.path),
        query,
      ).toContain(field);
    }
  });

  it("pages through every due task once, earliest first", async () => {
    const team = await makeTeam("tasks-pages");
    const ids = await people(team, ["Kim", "Lou", "Max"]);
    // One campaign per person, each enrolled after the previous: three distinct due times.
    for (const [i, personId] of ids.entries()) {
      await campaign(team, [task(`Task ${i}`)], [personId], `Pages ${i}`);
    }
    const seen: z.infer<typeof TaskRowSchema>[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await api(team.key, "GET", `/api/v1/tasks?limit=1${after}`);
      expect(res.status).toBe(200);
      const body = TaskPageSchema.parse(await res.json());
      expect(body.items.length).toBeLessThanOrEqual(1);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((t) => t.personId)).toEqual(ids);
    const due = seen.map((t) => Date.parse(t.dueAt));
    expect(due).toEqual([...due].sort((a, b) => a - b));
  });
});

describe("the Tasks page", () => {
  let owner: TestUser;
  let outsider: TestUser;
  beforeAll(async () => {
    owner = await makeTeam("taskpage");
    outsider = await makeTeam("taskpage-out");
  });

  it("lists the due call with the person's name, phone and context", async () => {
    const [ann] = await people(owner, ["Nia"]);
    const id = await campaign(owner, [call("Phone screen")], [ann], "Phone screens");
    const res = await page(owner.cookie, "/tasks");
    expect(res.status).toBe(200);
    const text = await html(res);
    expect(text).toContain("Nia Caller");
    expect(text).toContain('href="tel:+1 555 010 2030"');
    expect(text).toContain("Phone screen");
    expect(text).toContain("Phone screens");
    expect(text).toContain(`href="/campaigns/${id}"`);
    expect(text).toContain(`data-task="${id}:${ann}"`);
    expect(await html(await page(outsider.cookie, "/tasks?assignee=all"))).not.toContain(
      "Nia Caller",
    );
  });

  it("Complete takes the row off and moves the prospect on", async () => {
    const [oz] = await people(owner, ["Oz"]);
    const id = await campaign(owner, [call("Quick call"), email(1440)], [oz], "Quick calls");
    const stageId = (await tasks(owner.key)).find((t) => t.campaignId === id)?.stageId ?? "";
    const res = await page(owner.cookie, "/tasks", {
      intent: "complete",
      campaignId: id,
      personId: oz,
      stageId,
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("Done: marked complete.");
    expect(await html(await page(owner.cookie, "/tasks"))).not.toContain(`data-task="${id}:${oz}"`);
    const prospects = await api(owner.key, "GET", `/api/v1/campaigns/${id}/prospects`);
    const row = z
      .object({ items: z.array(z.object({ personId: z.string(), stageIndex: z.number() })) })
      .parse(await prospects.json())
      .items.find((p) => p.personId === oz);
    expect(row?.stageIndex).toBe(1);
  });

  it("a second tap on a row already done changes nothing more", async () => {
    const [pia] = await people(owner, ["Pia"]);
    const id = await campaign(owner, [task("One"), task("Two")], [pia], "Twice");
    const stageId = (await tasks(owner.key)).find((t) => t.campaignId === id)?.stageId ?? "";
    const form = { intent: "skip", campaignId: id, personId: pia, stageId };
    expect(await html(await page(owner.cookie, "/tasks", form))).toContain("Skipped.");
    expect(await html(await page(owner.cookie, "/tasks", form))).toContain("Already done");
    // The second tap did not skip the stage after it.
    const rows = (await tasks(owner.key)).filter((t) => t.campaignId === id);
    expect(rows.map((t) => t.title)).toEqual(["Two"]);
  });

  it("refuses another team's campaign with 404", async () => {
    const [quin] = await people(owner, ["Quin"]);
    const id = await campaign(owner, [call("Guarded")], [quin], "Guarded");
    const stageId = (await tasks(owner.key)).find((t) => t.campaignId === id)?.stageId ?? "";
    const res = await page(outsider.cookie, "/tasks", {
      intent: "complete",
      campaignId: id,
      personId: quin,
      stageId,
    });
    expect(res.status).toBe(404);
    expect((await tasks(owner.key)).map((t) => t.campaignId)).toContain(id);
  });
});
