/**
 * Issue 11 item 5 through the fake Resend: a mailbox named `Doe, Jane` reaches the provider
 * as one quoted mailbox and the prospect ends Complete; a line break in a person's name
 * never reaches the provider's Subject or From; line breaks in a subject or a mailbox name
 * are refused at the boundary with 422 naming the field.
 */
import { env } from "cloudflare:workers";
import { db, schema } from "@workers/db/client";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { fakeStats } from "../fakes/resend-control";
import {
  alarmUntil,
  CampaignBody,
  type EngineTeam,
  engineTeam,
  ProspectPage,
} from "../helpers/engine";
import { html, page } from "../helpers/teams";

const fakeUrl = inject("resendFakeUrl");

afterEach(() => {
  resetEngineHooks();
});

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

function useFakeResend(): string {
  const key = `re_test_${crypto.randomUUID()}`;
  engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
  return key;
}

async function renameMailbox(t: EngineTeam, name: string) {
  await db(env).update(schema.mailbox).set({ name }).where(eq(schema.mailbox.id, t.mailboxId));
}

async function sendOne(t: EngineTeam, firstName: string, address: string, subject: string) {
  const [personId] = await t.people([{ firstName, emails: [{ address, type: "work" }] }]);
  const created = await t.call("POST", "/api/v1/campaigns", {
    name: "From header",
    stages: [{ type: "email", delayMinutes: 0, mailboxId: t.mailboxId, subject, body: "Hello" }],
  });
  expect(created.status, created.text).toBe(201);
  const campaign = CampaignBody.parse(created.json);
  const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
    personIds: [personId],
  });
  expect(enrolled.status, enrolled.text).toBe(200);
  await alarmUntil(campaign.id, async () => {
    const rows = ProspectPage.parse(
      (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
    ).items;
    return rows[0]?.status !== "active";
  });
  return ProspectPage.parse(
    (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
  ).items[0];
}

describe("From and Subject at the provider", () => {
  it("a mailbox named `Doe, Jane` reaches Resend as one quoted mailbox and the prospect ends Complete", async () => {
    const key = useFakeResend();
    const t = await engineTeam("fromcomma");
    await renameMailbox(t, "Doe, Jane");
    const row = await sendOne(t, "Ada", "ada@fromcomma.example.org", "Hi {{firstName}}");
    expect(row?.status).toBe("complete");
    const sent = (await fakeStats(fakeUrl, key)).emails.filter((e) =>
      e.to.includes("ada@fromcomma.example.org"),
    );
    expect(sent.map((e) => e.from)).toEqual(['"Doe, Jane" <fromcomma@beacon.test>']);
  });

  it("the mailbox name `Doe, Jane` is accepted by POST /api/v1/mailboxes; one with a line break → 422 naming `name`", async () => {
    const t = await engineTeam("mbname");
    const ok = await t.call("POST", "/api/v1/mailboxes", {
      address: "doe@mbname.example.org",
      name: "Doe, Jane",
    });
    expect(ok.status, ok.text).toBe(201);

    const bad = await t.call("POST", "/api/v1/mailboxes", {
      address: "evil@mbname.example.org",
      name: "Jane\r\nBcc: victim@x.example",
    });
    expect(bad.status, bad.text).toBe(422);
    const { error } = ErrorBody.parse(bad.json);
    expect(error.code).toBe("validation_failed");
    expect(error.issues?.map((i) => i.path)).toEqual(["name"]);
  });

  it("the Mailboxes page form refuses a name with a line break, naming it, and adds nothing", async () => {
    const t = await engineTeam("mbpage");
    const res = await page(t.cookie, "/mailboxes", {
      intent: "add",
      address: "evil@mbpage.example.org",
      name: "Jane\r\nBcc: victim@x.example",
      dailyCap: "",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("The name must be one line");
    const stored = await db(env).query.mailbox.findFirst({
      where: eq(schema.mailbox.address, "evil@mbpage.example.org"),
    });
    expect(stored).toBeUndefined();
  });

  it("a person's first name with CR/LF never puts CR/LF into the Subject or From sent", async () => {
    const key = useFakeResend();
    const t = await engineTeam("crlfname");
    // Stored straight into D1: whatever path a name takes in, it must not reach a header.
    await renameMailbox(t, "Jane\r\nBcc: victim@x.example");
    const row = await sendOne(
      t,
      "Ada\r\nBcc: victim@x.example",
      "ada@crlfname.example.org",
      "A role for {{firstName}} from {{senderName}}",
    );
    expect(row?.status).toBe("complete");
    const sent = (await fakeStats(fakeUrl, key)).emails.filter((e) =>
      e.to.includes("ada@crlfname.example.org"),
    );
    expect(sent.length).toBe(1);
    const [email] = sent;
    expect(email.subject).toBe(
      "A role for Ada Bcc: victim@x.example from Jane Bcc: victim@x.example",
    );
    expect(email.from).toBe('"Jane Bcc: victim@x.example" <crlfname@beacon.test>');
    for (const value of [email.subject, email.from, ...Object.values(email.headers)]) {
      expect(value).not.toMatch(/[\r\n]/);
    }
  });
});

describe("a CR/LF subject at the boundary", () => {
  it("POST /api/v1/campaigns → 422 naming stages.N.subject", async () => {
    const t = await engineTeam("crlfsubj");
    const res = await t.call("POST", "/api/v1/campaigns", {
      name: "Injected",
      stages: [
        { type: "email", delayMinutes: 0, mailboxId: t.mailboxId, subject: "Fine", body: "A" },
        {
          type: "email",
          delayMinutes: 60,
          mailboxId: t.mailboxId,
          subject: "Hello\r\nBcc: victim@x.example",
          body: "B",
        },
      ],
    });
    expect(res.status, res.text).toBe(422);
    const { error } = ErrorBody.parse(res.json);
    expect(error.code).toBe("validation_failed");
    expect(error.issues?.map((i) => i.path)).toEqual(["stages.1.subject"]);
    expect(error.message).toContain("stages.1.subject");
  });

  it("PATCH /api/v1/campaigns/:id with a LF subject → 422 naming stages.0.subject", async () => {
    const t = await engineTeam("crlfpatch");
    const created = await t.call("POST", "/api/v1/campaigns", {
      name: "Editable",
      status: "draft",
      stages: [
        { type: "email", delayMinutes: 0, mailboxId: t.mailboxId, subject: "Fine", body: "A" },
      ],
    });
    const campaign = CampaignBody.parse(created.json);
    const res = await t.call("PATCH", `/api/v1/campaigns/${campaign.id}`, {
      version: campaign.version,
      stages: [
        {
          type: "email",
          delayMinutes: 0,
          mailboxId: t.mailboxId,
          subject: "Two\nlines",
          body: "A",
        },
      ],
    });
    expect(res.status, res.text).toBe(422);
    expect(ErrorBody.parse(res.json).error.issues?.map((i) => i.path)).toEqual([
      "stages.0.subject",
    ]);
  });
});
