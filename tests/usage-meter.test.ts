/**
 * The usage figure (issue #9): today's emails sent, reserved and remaining against the
 * team's daily limit, and each mailbox's own cap, on the Settings page and over the
 * Outreach list.
 */
import { env } from "cloudflare:workers";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, engineTeam } from "./helpers/engine";
import { html, page } from "./helpers/teams";

const Created = z.object({ id: z.string() });
const Items = z.object({ items: z.array(z.object({ status: z.string() })) });

describe("the usage meter", () => {
  it("shows a fresh team's whole allowance on Settings and the Outreach list", async () => {
    const t = await engineTeam("usage-fresh");
    for (const path of ["/settings", "/campaigns"]) {
      const text = await html(await page(t.cookie, path));
      expect(text, path).toContain('data-usage="0/0/5000/5000"');
      expect(text, path).toContain("0 sent · 0 reserved · 5,000 remaining of 5,000");
    }
  });

  it("counts today's sends against the limit and the mailbox's own cap", async () => {
    const t = await engineTeam("usage-sent");
    await db(env)
      .update(schema.mailbox)
      .set({ dailyCap: 10 })
      .where(eq(schema.mailbox.id, t.mailboxId));
    const ids = await t.people([
      { firstName: "Uma", emails: [{ address: "uma@example.com", type: "personal" }] },
      { firstName: "Vic", emails: [{ address: "vic@example.com", type: "personal" }] },
    ]);
    const created = await t.call("POST", "/api/v1/campaigns", {
      name: "Usage",
      stages: [
        {
          type: "email",
          delayMinutes: 0,
          mailboxId: t.mailboxId,
          subject: "Hi",
          body: "Hello {{firstName}}",
          emailPriority: "personal_first",
        },
      ],
    });
    expect(created.status, created.text).toBe(201);
    const { id } = Created.parse(created.json);
    const enrolled = await t.call("POST", `/api/v1/campaigns/${id}/prospects`, {
      personIds: ids,
      force: true,
    });
    expect(enrolled.status, enrolled.text).toBe(200);
    await alarmUntil(id, async () => {
      const log = await t.call("GET", `/api/v1/email-log?campaignId=${id}`);
      const items = Items.parse(log.json).items;
      return items.length === 2 && items.every((m) => m.status === "sent");
    });
    const text = await html(await page(t.cookie, "/settings"));
    expect(text).toContain('data-usage="2/0/4998/5000"');
    expect(text).toContain("2 sent · 0 reserved · 4,998 remaining of 5,000");
    expect(text).toContain(`data-mailbox="${t.mailboxId}"`);
    expect(text).toContain("2 of its 10 a day");
  });
});
