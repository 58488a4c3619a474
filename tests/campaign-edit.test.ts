import { env, exports } from "cloudflare:workers";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { addMember, api, html, makeTeam, page, type TestUser } from "./helpers/teams";

/*
 * The campaign edit page (/campaigns/:id/edit) as a browser without JavaScript uses it:
 * GET the form, POST it back with the version and base it was loaded from. Another
 * teammate's save goes through the JSON API (PATCH with the version).
 */

const Stage = z.object({
  id: z.string(),
  type: z.string(),
  delayMinutes: z.number(),
  subject: z.string().optional(),
  title: z.string().optional(),
  body: z.string().optional(),
});
const View = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number(),
  stages: z.array(Stage),
});
type View = z.infer<typeof View>;

let owner: TestUser;
let mate: TestUser;
let outsider: TestUser;
let mailboxId: string;

beforeAll(async () => {
  owner = await makeTeam("editor");
  mate = await addMember(owner, "mate", "member");
  outsider = await makeTeam("edit-outsider");
  const box = await createMailbox(env, owner, { address: "edit@beacon.test", name: "Ed It" });
  if (!box.ok) throw new Error(box.message);
  mailboxId = box.mailbox.id;
});

async function campaign(name: string): Promise<View> {
  const res = await api(owner.key, "POST", "/api/v1/campaigns", {
    name,
    stages: [
      { type: "email", delayMinutes: 1440, mailboxId, subject: "First hello", body: "Hello" },
      { type: "email", delayMinutes: 2880, mailboxId, subject: "Second note", body: "Again" },
      { type: "call", delayMinutes: 2880, title: "Intro call" },
    ],
  });
  expect(res.status).toBe(201);
  return View.parse(await res.json());
}

async function read(id: string): Promise<View> {
  return View.parse(await (await api(owner.key, "GET", `/api/v1/campaigns/${id}`)).json());
}

const unescapeHtml = (s: string) =>
  s
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** The edit page's hidden version and base, as the browser would send them back. */
async function openEdit(user: TestUser, id: string) {
  const res = await page(user.cookie, `/campaigns/${id}/edit`);
  expect(res.status).toBe(200);
  const body = await html(res);
  const version = /name="version" value="(\d+)"/.exec(body)?.[1];
  const base = /name="base" value="([^"]*)"/.exec(body)?.[1];
  if (!version || !base)
    throw new Error(`the edit form has no version or base: ${body.slice(0, 3000)}`);
  return { body, version, base: unescapeHtml(base) };
}

/** The form fields for a campaign's stages as the page posts them (in this order). */
function fields(view: View, edits: { name?: string; stages?: Record<string, string>[] }) {
  const out: [string, string][] = [
    ["name", edits.name ?? view.name],
    ["trackOpens", "on"],
    ["trackClicks", "on"],
    ["unsubscribeLink", "on"],
    ["windowDays", "1"],
    ["windowStart", "09:00"],
    ["windowEnd", "17:00"],
  ];
  const stages = edits.stages ?? view.stages.map((): Record<string, string> => ({}));
  for (const [i, change] of stages.entries()) {
    const s = view.stages.find((x) => x.id === change.id) ?? view.stages[i];
    const values: Record<string, string | undefined> = {
      id: s.id,
      type: s.type,
      delayValue: String(s.delayMinutes / 1440),
      delayUnit: "days",
      ...(s.type === "email"
        ? { mailboxId, subject: s.subject, body: s.body, emailPriority: "personal_first" }
        : { title: s.title }),
      ...change,
    };
    for (const [k, v] of Object.entries(values)) {
      if (v !== undefined) out.push([`stages[${i}].${k}`, v]);
    }
  }
  return out;
}

function post(user: TestUser, id: string, form: [string, string][]) {
  return exports.default.fetch(`http://localhost/campaigns/${id}/edit`, {
    method: "POST",
    headers: { Cookie: user.cookie, Origin: "http://localhost" },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

const Raw = z.object({ version: z.number(), stages: z.array(z.record(z.string(), z.unknown())) });

/** A teammate's save through the API, from the campaign as it is now. */
async function theirSave(id: string, change: (v: z.infer<typeof Raw>) => Record<string, unknown>) {
  const now = Raw.parse(await (await api(mate.key, "GET", `/api/v1/campaigns/${id}`)).json());
  const res = await api(mate.key, "PATCH", `/api/v1/campaigns/${id}`, {
    version: now.version,
    ...change(now),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe("campaign edit page", () => {
  it("saves a stage's subject, keeping every stage's id", async () => {
    const c = await campaign("Edit subject");
    const { body, version, base } = await openEdit(owner, c.id);
    expect(body).toContain("First hello");
    expect(body).toContain(`value="${c.stages[1].id}"`);
    const res = await post(owner, c.id, [
      ...fields(c, { stages: [{}, { subject: "Second note, edited" }, {}] }),
      ["version", version],
      ["base", base],
      ["intent", "save"],
    ]);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/campaigns/${c.id}?edited=1`);
    const after = await read(c.id);
    expect(after.stages.map((s) => s.id)).toEqual(c.stages.map((s) => s.id));
    expect(after.stages[1].subject).toBe("Second note, edited");
    expect(after.version).toBe(c.version + 1);
  });

  it("is the team's only: another team's campaign is not found", async () => {
    const c = await campaign("Private edit");
    expect((await page(outsider.cookie, `/campaigns/${c.id}/edit`)).status).toBe(404);
    const res = await post(outsider, c.id, [...fields(c, {}), ["version", "1"], ["base", "{}"]]);
    expect(res.status).toBe(404);
  });

  it("refuses a stale save, shows what they changed, and applies mine on top", async () => {
    const c = await campaign("Stale but separate");
    const { version, base } = await openEdit(owner, c.id);
    await theirSave(c.id, (v) => ({
      stages: v.stages.map((s, i) => (i === 1 ? { ...s, subject: "Theirs, stage 2" } : s)),
    }));
    const mine = [
      ...fields(c, { stages: [{ subject: "Mine, stage 1" }, {}, {}] }),
      ["version", version],
      ["base", base],
    ] as [string, string][];
    const refused = await post(owner, c.id, [...mine, ["intent", "save"]]);
    expect(refused.status).toBe(200);
    const shown = await html(refused);
    expect(shown).toContain("Someone saved this campaign while you were editing");
    expect(shown).toMatch(
      /Subject of stage 2.*Theirs<\/span> Theirs, stage 2.*Yours<\/span> \(not changed by you\)/s,
    );
    expect(shown).toContain("Apply mine on top");
    // Nothing typed is lost: the form still holds my subject.
    expect(shown).toContain('value="Mine, stage 1"');
    expect((await read(c.id)).stages[0].subject).toBe("First hello");

    const applied = await post(owner, c.id, [...mine, ["intent", "apply"]]);
    expect(applied.status).toBe(302);
    const after = await read(c.id);
    expect(after.stages.map((s) => s.subject)).toEqual([
      "Mine, stage 1",
      "Theirs, stage 2",
      undefined,
    ]);
  });

  it("shows the overlapping fields and offers only a reload when both changed one field", async () => {
    const c = await campaign("Stale and overlapping");
    const { version, base } = await openEdit(owner, c.id);
    await theirSave(c.id, (v) => ({
      stages: v.stages.map((s, i) => (i === 0 ? { ...s, subject: "Their subject" } : s)),
    }));
    const mine = [
      ...fields(c, { stages: [{ subject: "My subject" }, {}, {}] }),
      ["version", version],
      ["base", base],
    ] as [string, string][];
    const shown = await html(await post(owner, c.id, [...mine, ["intent", "save"]]));
    expect(shown).toContain("You both changed these fields");
    expect(shown).toMatch(/Subject of stage 1.*Their subject.*My subject/s);
    expect(shown).not.toContain("Apply mine on top");
    expect(shown).toContain("Reload their version");
    // Posting "apply" anyway (an old tab) is refused the same way, and saves nothing.
    const forced = await html(await post(owner, c.id, [...mine, ["intent", "apply"]]));
    expect(forced).toContain("You both changed these fields");
    expect((await read(c.id)).stages[0].subject).toBe("Their subject");
  });

  it("refuses deleting a stage people are at, with the count; skipping them lets it go", async () => {
    const c = await campaign("Delete a stage");
    const ids = await insertPeople(db(env), owner.teamId, owner.userId, [
      {
        firstName: "Ann",
        emails: [{ address: `ann-${crypto.randomUUID()}@example.com`, type: "personal" }],
      },
      {
        firstName: "Bo",
        emails: [{ address: `bo-${crypto.randomUUID()}@example.com`, type: "personal" }],
      },
    ]);
    const enrolled = await api(owner.key, "POST", `/api/v1/campaigns/${c.id}/prospects`, {
      personIds: ids,
    });
    expect(enrolled.status).toBe(200);
    const { version, base } = await openEdit(owner, c.id);
    // Stage 1 removed: the form lists stages 2 and 3 only.
    const withoutFirst = [
      ...fields(c, { stages: [{ id: c.stages[1].id }, { id: c.stages[2].id }] }),
      ["version", version],
      ["base", base],
    ] as [string, string][];
    const refused = await html(await post(owner, c.id, [...withoutFirst, ["intent", "save"]]));
    expect(refused).toContain(
      "Email “First hello” (stage 1) cannot be deleted: 2 people are still going at or before it.",
    );
    expect(refused).toContain(`value="skip:${c.stages[0].id}"`);
    expect(refused).toContain('value="Second note"');

    const skipped = await html(
      await post(owner, c.id, [...withoutFirst, ["intent", `skip:${c.stages[0].id}`]]),
    );
    expect(skipped).toContain("Skipped 2 people past stage 1. Save again to delete it.");
    const saved = await post(owner, c.id, [...withoutFirst, ["intent", "save"]]);
    expect(saved.status).toBe(302);
    expect((await read(c.id)).stages.map((s) => s.id)).toEqual([c.stages[1].id, c.stages[2].id]);
  });

  it("names a bad field and keeps everything typed", async () => {
    const c = await campaign("Validation");
    const { version, base } = await openEdit(owner, c.id);
    const res = await post(owner, c.id, [
      ...fields(c, {
        name: "A name I typed",
        stages: [{ subject: "" }, { body: "Hi {{fristName}}" }, {}],
      }),
      ["version", version],
      ["base", base],
      ["intent", "save"],
    ]);
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Enter the subject");
    expect(body).toContain("Unknown merge field {{fristName}}");
    expect(body).toContain('value="A name I typed"');
    expect(body).toContain("Hi {{fristName}}");
    expect((await read(c.id)).name).toBe("Validation");
  });

  it("refuses a form whose base was tampered with", async () => {
    const c = await campaign("Tampered");
    const { version } = await openEdit(owner, c.id);
    const res = await post(owner, c.id, [
      ...fields(c, {}),
      ["version", version],
      ["base", '{"name": 5}'],
      ["intent", "save"],
    ]);
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("lost track of the version it was loaded from");
  });
});
