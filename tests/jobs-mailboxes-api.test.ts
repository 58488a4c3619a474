import { env } from "cloudflare:workers";
import { createMailbox, resyncMailbox } from "@workers/data/mailboxes";
import { addDomain } from "@workers/data/sending-domains";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import { fakeStats } from "./fakes/resend-control";
import { api, html, makeTeam, page, type TestUser } from "./helpers/teams";

const JobBody = z.object({
  id: z.string(),
  title: z.string(),
  stages: z.array(z.object({ id: z.string(), name: z.string(), position: z.number() })),
  createdAt: z.iso.datetime(),
});
const JobPage = z.object({ items: z.array(JobBody), nextCursor: z.string().optional() });
const MailboxBody = z.object({
  id: z.string(),
  address: z.string(),
  name: z.string(),
  dailyCap: z.number().nullable(),
  canSend: z.boolean(),
  capturesReplies: z.boolean(),
  syncAddress: z.string().nullable(),
  problem: z.string().nullable(),
  userId: z.string(),
  createdAt: z.iso.datetime(),
});
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

let alpha: TestUser;
let beta: TestUser;

beforeAll(async () => {
  alpha = await makeTeam("alpha");
  beta = await makeTeam("beta");
});

describe("POST /api/v1/jobs", () => {
  it("creates a job with its stages in order", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/jobs", {
      title: " Staff Engineer ",
      stages: ["Sourced", "Screen", "Interview", "Offer"],
    });
    expect(res.status).toBe(201);
    const job = JobBody.parse(await res.json());
    expect(job.title).toBe("Staff Engineer");
    expect(job.stages.map((s) => [s.name, s.position])).toEqual([
      ["Sourced", 0],
      ["Screen", 1],
      ["Interview", 2],
      ["Offer", 3],
    ]);
  });

  it("creates a job without stages", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/jobs", { title: "Designer" });
    expect(res.status).toBe(201);
    expect(JobBody.parse(await res.json()).stages).toEqual([]);
  });

  it("answers 422 naming each bad field", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/jobs", { title: "", stages: ["Ok", ""] });
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.issues?.map((i) => i.path).sort()).toEqual(["stages.1", "title"]);
  });

  it("answers 422 for a stage name given twice", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/jobs", {
      title: "Twice",
      stages: ["Screen", "screen"],
    });
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json()).error.issues?.[0]?.path).toBe("stages");
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/jobs", "{title:");
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("bad_request");
  });

  it("answers 401 without an API key", async () => {
    const res = await api(null, "POST", "/api/v1/jobs", { title: "Nope" });
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("unauthorized");
  });
});

describe("GET /api/v1/jobs", () => {
  it("lists the team's jobs newest first, page by page", async () => {
    const team = await makeTeam("pager");
    for (const title of ["First", "Second", "Third"]) {
      expect((await api(team.key, "POST", "/api/v1/jobs", { title, stages: [title] })).status).toBe(
        201,
      );
    }
    const first = JobPage.parse(await (await api(team.key, "GET", "/api/v1/jobs?limit=2")).json());
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeDefined();
    const rest = JobPage.parse(
      await (await api(team.key, "GET", `/api/v1/jobs?limit=2&cursor=${first.nextCursor}`)).json(),
    );
    expect(rest.nextCursor).toBeUndefined();
    const titles = [...first.items, ...rest.items].map((j) => j.title);
    expect(titles.sort()).toEqual(["First", "Second", "Third"]);
    expect(new Set(titles).size).toBe(3);
    const dates = [...first.items, ...rest.items].map((j) => j.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(rest.items.concat(first.items).every((j) => j.stages[0]?.name === j.title)).toBe(true);
  });

  it("shows no other team's jobs", async () => {
    const res = await api(beta.key, "GET", "/api/v1/jobs");
    expect(res.status).toBe(200);
    expect(JobPage.parse(await res.json()).items.map((j) => j.title)).not.toContain(
      "Staff Engineer",
    );
  });

  it("answers 422 for a bad limit and 400 for a cursor it did not make", async () => {
    const bad = await api(alpha.key, "GET", "/api/v1/jobs?limit=500");
    expect(bad.status).toBe(422);
    expect(ErrorBody.parse(await bad.json()).error.issues?.[0]?.path).toBe("limit");
    expect((await api(alpha.key, "GET", "/api/v1/jobs?cursor=bogus")).status).toBe(400);
  });

  it("answers 401 with a key that does not exist", async () => {
    expect((await api("bk_nope", "GET", "/api/v1/jobs")).status).toBe(401);
  });
});

describe("mailboxes API with the local sink", () => {
  it("adds a mailbox owned by the key's user that can send and capture replies", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/mailboxes", {
      address: "Recruiting@Alpha.test",
      name: "Alpha Recruiting",
      dailyCap: 400,
    });
    expect(res.status).toBe(201);
    const box = MailboxBody.parse(await res.json());
    expect(box).toMatchObject({
      address: "recruiting@alpha.test",
      name: "Alpha Recruiting",
      dailyCap: 400,
      canSend: true,
      capturesReplies: true,
      problem: null,
      userId: alpha.userId,
    });
    expect(box.syncAddress).toMatch(/^sync\+[a-z2-7]{52}@inbound\.test$/);
  });

  it("gives every mailbox its own sync address", async () => {
    const a = MailboxBody.parse(
      await (
        await api(alpha.key, "POST", "/api/v1/mailboxes", {
          address: "one@alpha.test",
          name: "One",
        })
      ).json(),
    );
    const b = MailboxBody.parse(
      await (
        await api(alpha.key, "POST", "/api/v1/mailboxes", {
          address: "two@alpha.test",
          name: "Two",
        })
      ).json(),
    );
    expect(a.syncAddress).not.toBe(b.syncAddress);
  });

  it("refuses the same address twice in a team with 409, in any letter case", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/mailboxes", {
      address: "RECRUITING@alpha.test",
      name: "Again",
    });
    expect(res.status).toBe(409);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toBe("The team already has a mailbox for recruiting@alpha.test.");
  });

  it("lets another team add the same address", async () => {
    const res = await api(beta.key, "POST", "/api/v1/mailboxes", {
      address: "recruiting@alpha.test",
      name: "Beta's copy",
    });
    expect(res.status).toBe(201);
  });

  it("answers 422 naming address, name and dailyCap", async () => {
    const res = await api(alpha.key, "POST", "/api/v1/mailboxes", {
      address: "not-an-address",
      name: " ",
      dailyCap: -3,
    });
    expect(res.status).toBe(422);
    const paths = ErrorBody.parse(await res.json()).error.issues?.map((i) => i.path);
    expect(paths?.sort()).toEqual(["address", "dailyCap", "name"]);
  });

  it("lists the team's mailboxes with canSend, capturesReplies and syncAddress", async () => {
    const res = await api(alpha.key, "GET", "/api/v1/mailboxes");
    expect(res.status).toBe(200);
    const { items } = z.object({ items: z.array(MailboxBody) }).parse(await res.json());
    expect(items.map((m) => m.address)).toEqual([
      "recruiting@alpha.test",
      "one@alpha.test",
      "two@alpha.test",
    ]);
    expect(items.every((m) => m.canSend && m.capturesReplies && m.syncAddress)).toBe(true);
  });

  it("re-checks a mailbox on resync, and 404s an unknown id", async () => {
    const list = z
      .object({ items: z.array(MailboxBody) })
      .parse(await (await api(alpha.key, "GET", "/api/v1/mailboxes")).json());
    const target = list.items[0];
    const res = await api(alpha.key, "POST", `/api/v1/mailboxes/${target.id}/resync`);
    expect(res.status).toBe(200);
    expect(MailboxBody.parse(await res.json())).toMatchObject({ id: target.id, canSend: true });
    const missing = await api(alpha.key, "POST", "/api/v1/mailboxes/no-such-id/resync");
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await missing.json()).error.code).toBe("not_found");
  });

  it("answers 401 without a key", async () => {
    expect((await api(null, "GET", "/api/v1/mailboxes")).status).toBe(401);
    expect(
      (await api(null, "POST", "/api/v1/mailboxes", { address: "x@y.z", name: "X" })).status,
    ).toBe(401);
  });
});

describe("mailboxes without an inbound domain", () => {
  it("have no sync address and explain that replies are not captured", async () => {
    const noInbound = { ...env, INBOUND_DOMAIN: "" };
    const res = await createMailbox(noInbound, alpha, {
      address: "noinbound@alpha.test",
      name: "N",
    });
    if (!res.ok) throw new Error(res.message);
    expect(res.mailbox).toMatchObject({ canSend: true, capturesReplies: false, syncAddress: null });
    expect(res.mailbox.problem).toContain("INBOUND_DOMAIN");
  });
});

describe("mailboxes with Resend configured", () => {
  // The key and base URL come from the configuration here (not the test hook): the path
  // production takes. Domain registration and confirmation are covered end to end in
  // tests/sending/identity.test.ts.
  const fakeUrl = inject("resendFakeUrl");
  const key = `re_test_${crypto.randomUUID()}`;
  const resendEnv = () => ({ ...env, RESEND_API_KEY: key, RESEND_BASE_URL: fakeUrl });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("keeps a mailbox on a domain the team has not added, and says where to add it", async () => {
    const res = await createMailbox(resendEnv(), alpha, {
      address: "kim@unknown.test",
      name: "Kim",
    });
    if (!res.ok) throw new Error(res.message);
    expect(res.mailbox.canSend).toBe(false);
    expect(res.mailbox.problem).toMatch(
      /^Add and verify unknown\.test under Settings → Sending domains/,
    );
  });

  it("registers domains with the configured key and base URL, and waits for verification", async () => {
    const added = await addDomain(resendEnv(), alpha.teamId, { name: "configured.test" });
    if (!added.ok) throw new Error(added.failure.message);
    expect(added.domain.records.length).toBeGreaterThan(0);
    expect((await fakeStats(fakeUrl, key)).requests).toBeGreaterThan(0);
    const res = await createMailbox(resendEnv(), alpha, {
      address: "sam@configured.test",
      name: "Sam",
    });
    if (!res.ok) throw new Error(res.message);
    expect(res.mailbox.canSend).toBe(false);
    expect(res.mailbox.problem).toContain("The domain configured.test is not verified yet");
    const again = await resyncMailbox(resendEnv(), alpha.teamId, res.mailbox.id);
    expect(again?.canSend).toBe(false);
  });

  it("reports an unreachable provider by name", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      throw new TypeError("Network connection lost.");
    });
    const added = await addDomain(
      { ...env, RESEND_API_KEY: "re_test", RESEND_BASE_URL: "http://fake.resend.test" },
      alpha.teamId,
      { name: "down.test" },
    );
    expect(added).toMatchObject({
      ok: false,
      failure: { code: "provider_unreachable" },
    });
    if (!added.ok) expect(added.failure.message).toMatch(/^Could not reach the email provider: /);
  });
});

describe("jobs and mailboxes pages", () => {
  it("creates a job from the form, one stage per line, and lists it", async () => {
    const res = await page(alpha.cookie, "/jobs", {
      title: "Head of Sales",
      stages: "Sourced\nCall\n\nOffer",
    });
    expect(res.status).toBe(302);
    const location = res.headers.get("Location") ?? "";
    expect(location).toMatch(/^\/jobs\?created=/);
    const listed = await html(await page(alpha.cookie, location));
    expect(listed).toContain("Created “Head of Sales”");
    expect(listed).toMatch(/Sourced.*Call.*Offer/s);
  });

  it("keeps what was typed and names the stage when the job form is wrong", async () => {
    const res = await page(alpha.cookie, "/jobs", { title: "", stages: "Screen\nscreen" });
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Give the job a title");
    expect(body).toContain("appears more than once");
    expect(body).toContain("Screen\nscreen");
  });

  it("adds a mailbox from the form and shows its two checks and sync address", async () => {
    const res = await page(alpha.cookie, "/mailboxes", {
      intent: "add",
      address: "page@alpha.test",
      name: "Page Test",
      dailyCap: "",
    });
    expect(res.status).toBe(302);
    const listed = await html(await page(alpha.cookie, res.headers.get("Location") ?? ""));
    expect(listed).toContain("Added page@alpha.test");
    expect(listed).toContain("Can send");
    expect(listed).toContain("Captures replies");
    expect(listed).toMatch(/sync\+[a-z2-7]{52}@inbound\.test/);
    expect(listed).toContain("Forward your inbox to it and BCC it");
  });

  it("shows the conflict on the address field for a duplicate", async () => {
    const res = await page(alpha.cookie, "/mailboxes", {
      intent: "add",
      address: "page@alpha.test",
      name: "Again",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("The team already has a mailbox for page@alpha.test.");
  });

  it("shows a broken mailbox's problem with a Resync button that re-checks it", async () => {
    const broken = await createMailbox({ ...env, INBOUND_DOMAIN: "" }, alpha, {
      address: "broken@alpha.test",
      name: "Broken",
    });
    if (!broken.ok) throw new Error(broken.message);
    const before = await html(await page(alpha.cookie, "/mailboxes"));
    expect(before).toContain("Does not capture replies");
    expect(before).toContain("Resync");
    const res = await page(alpha.cookie, "/mailboxes", {
      intent: "resync",
      mailboxId: broken.mailbox.id,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/mailboxes?resynced=${broken.mailbox.id}`);
    // The test env has an inbound domain, so the re-check repairs it.
    const row = await db(env).query.mailbox.findFirst({
      where: eq(schema.mailbox.id, broken.mailbox.id),
    });
    expect(row?.capturesReplies).toBe(true);
  });
});

describe("a campaign's job stage through the API", () => {
  const CampaignBody = z.object({
    id: z.string(),
    version: z.number(),
    jobId: z.string().nullable(),
    jobStage: z.string().nullable(),
  });
  const task = [{ type: "task", title: "Call them", delayMinutes: 0 }];
  let engineer: z.infer<typeof JobBody>;
  let designer: z.infer<typeof JobBody>;

  beforeAll(async () => {
    engineer = JobBody.parse(
      await (
        await api(alpha.key, "POST", "/api/v1/jobs", {
          title: "Platform Engineer",
          stages: ["Sourced", "Screen", "Onsite"],
        })
      ).json(),
    );
    designer = JobBody.parse(
      await (
        await api(alpha.key, "POST", "/api/v1/jobs", {
          title: "Product Designer",
          stages: ["Sourced", "Portfolio review"],
        })
      ).json(),
    );
  });

  const create = (body: Record<string, unknown>) =>
    api(alpha.key, "POST", "/api/v1/campaigns", { status: "draft", stages: task, ...body });

  it("keeps a stage of the named job, and the list filters by it", async () => {
    const res = await create({ name: "Screen engineers", jobId: engineer.id, jobStage: "Screen" });
    expect(res.status).toBe(201);
    const made = CampaignBody.parse(await res.json());
    expect([made.jobId, made.jobStage]).toEqual([engineer.id, "Screen"]);
    const listed = z
      .object({ items: z.array(z.object({ id: z.string() })) })
      .parse(await (await api(alpha.key, "GET", "/api/v1/campaigns?jobStage=Screen")).json());
    expect(listed.items.map((c) => c.id)).toContain(made.id);
  });

  it("answers 422 at jobStage for a stage the job does not have, and creates nothing", async () => {
    const res = await create({
      name: "Wrong stage",
      jobId: engineer.id,
      jobStage: "Portfolio review",
    });
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.issues?.map((i) => i.path)).toEqual(["jobStage"]);
    expect(body.error.message).toContain("Platform Engineer");
    expect(body.error.message).toContain("Portfolio review");
    const all = await db(env)
      .select({ name: schema.campaign.name })
      .from(schema.campaign)
      .where(eq(schema.campaign.name, "Wrong stage"));
    expect(all).toEqual([]);
  });

  it("answers 422 at jobStage for a stage with no job", async () => {
    const res = await create({ name: "Stage alone", jobStage: "Screen" });
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json()).error.issues?.map((i) => i.path)).toEqual([
      "jobStage",
    ]);
  });

  it("checks an edit's stage against the job the campaign keeps or is moved to", async () => {
    const made = CampaignBody.parse(
      await (await create({ name: "Edited", jobId: engineer.id, jobStage: "Sourced" })).json(),
    );
    const patch = (body: Record<string, unknown>) =>
      api(alpha.key, "PATCH", `/api/v1/campaigns/${made.id}`, { version: made.version, ...body });

    // A stage of the job it keeps: refused when the job has no such stage.
    const wrong = await patch({ jobStage: "Portfolio review" });
    expect(wrong.status).toBe(422);
    expect(ErrorBody.parse(await wrong.json()).error.issues?.map((i) => i.path)).toEqual([
      "jobStage",
    ]);
    // Another job, keeping a stage that job does not have: refused too.
    const moved = await patch({ jobId: designer.id, jobStage: "Onsite" });
    expect(moved.status).toBe(422);
    // Nothing of either was saved.
    const after = CampaignBody.parse(
      await (await api(alpha.key, "GET", `/api/v1/campaigns/${made.id}`)).json(),
    );
    expect([after.jobId, after.jobStage, after.version]).toEqual([
      engineer.id,
      "Sourced",
      made.version,
    ]);

    // Another job with one of its stages is an edit like any other; so is clearing both.
    const ok = await patch({ jobId: designer.id, jobStage: "Portfolio review" });
    expect(ok.status).toBe(200);
    const saved = CampaignBody.parse(await ok.json());
    expect([saved.jobId, saved.jobStage]).toEqual([designer.id, "Portfolio review"]);
    const cleared = await api(alpha.key, "PATCH", `/api/v1/campaigns/${made.id}`, {
      version: saved.version,
      jobId: null,
      jobStage: null,
    });
    expect(cleared.status).toBe(200);
    const none = CampaignBody.parse(await cleared.json());
    expect([none.jobId, none.jobStage]).toEqual([null, null]);
  });
});
