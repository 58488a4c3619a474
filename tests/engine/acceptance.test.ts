import { describe, expect, it } from "vitest";
import {
  alarmUntil,
  CampaignBody,
  EmailLogPage,
  engineTeam,
  ProspectPage,
} from "../helpers/engine";

const DAY = 24 * 60 * 60 * 1000;

describe("issue 3 acceptance through the API", () => {
  it("sends stage 1 now, schedules stage 2 a day out, fails people without a personal email, cancels a Waiting message", async () => {
    const t = await engineTeam("accept");
    const [ann, bob, cid, dee, eve] = await t.people([
      {
        firstName: "Ann",
        lastName: "A",
        emails: [{ address: "ann@example.org", type: "personal" }],
      },
      {
        firstName: "Bob",
        lastName: "B",
        emails: [{ address: "bob@example.org", type: "personal" }],
      },
      {
        firstName: "Cid",
        lastName: "C",
        emails: [
          { address: "cid@example.org", type: "personal" },
          { address: "cid@work.example.org", type: "work" },
        ],
      },
      { firstName: "Dee", lastName: "D" },
      {
        firstName: "Eve",
        lastName: "E",
        emails: [{ address: "eve@work.example.org", type: "work" }],
      },
    ]);
    const created = await t.call("POST", "/api/v1/campaigns", {
      name: "Backend engineers",
      stages: [
        {
          type: "email",
          delayMinutes: 0,
          mailboxId: t.mailboxId,
          subject: "Hello {{firstName}}",
          body: "Hi {{firstName}}, a role for you.",
          emailPriority: "personal_only",
        },
        {
          type: "email",
          delayMinutes: 1440,
          mailboxId: t.mailboxId,
          subject: "Following up",
          body: "Any thoughts, {{firstName}}?",
          emailPriority: "personal_only",
          sameThread: true,
        },
      ],
    });
    expect(created.status).toBe(201);
    const campaign = CampaignBody.parse(created.json);
    expect(campaign.status).toBe("active");

    const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
      personIds: [ann, bob, cid, dee, eve],
    });
    expect(enrolled.status).toBe(200);
    expect(enrolled.json).toMatchObject({ enrolled: 5, refused: [], conflicts: [] });

    const prospects = async () =>
      ProspectPage.parse((await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json)
        .items;
    await alarmUntil(campaign.id, async () =>
      (await prospects()).every((p) => p.stageIndex === 1 || p.status === "failed"),
    );
    const rows = await prospects();
    const byId = new Map(rows.map((r) => [r.personId, r]));
    for (const id of [ann, bob, cid]) {
      expect(byId.get(id)).toMatchObject({
        status: "active",
        stageIndex: 1,
        stageId: campaign.stages[1].id,
      });
    }
    for (const id of [dee, eve]) {
      expect(byId.get(id)).toMatchObject({ status: "failed", reason: "null_email" });
      expect(byId.get(id)?.reasonLabel).toMatch(/email/i);
    }

    const log = EmailLogPage.parse(
      (await t.call("GET", `/api/v1/email-log?campaignId=${campaign.id}`)).json,
    ).items;
    const sent = log.filter((m) => m.status === "sent");
    const waiting = log.filter((m) => m.status === "waiting");
    expect(sent.map((m) => m.personId).sort()).toEqual([ann, bob, cid].sort());
    expect(sent.every((m) => m.stageIndex === 0 && m.messageId?.startsWith("<"))).toBe(true);
    expect(sent.find((m) => m.personId === cid)?.to).toBe("cid@example.org");
    expect(waiting.map((m) => m.personId).sort()).toEqual([ann, bob, cid].sort());
    for (const w of waiting) {
      expect(w.stageIndex).toBe(1);
      const sentAt = Date.parse(sent.find((s) => s.personId === w.personId)?.sentAt ?? "");
      const due = Date.parse(w.scheduledAt ?? "");
      expect(Math.abs(due - sentAt - DAY)).toBeLessThan(60_000);
    }

    const target = waiting.find((w) => w.personId === ann);
    const canceled = await t.call("POST", `/api/v1/email-log/${target?.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({ status: "canceled" });
    expect((await prospects()).find((p) => p.personId === ann)).toMatchObject({
      status: "not_delivered",
      reason: "canceled",
    });
    const again = await t.call("POST", `/api/v1/email-log/${target?.id}/cancel`);
    expect(again.status).toBe(409);
  });
});
