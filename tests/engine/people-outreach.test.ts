import { describe, expect, it } from "vitest";
import { alarmUntil, CampaignBody, engineTeam, ProspectPage } from "../helpers/engine";

describe("a person and their campaigns", () => {
  it("GET /api/v1/people/:id lists the person's campaigns with status, reason and stage", async () => {
    const t = await engineTeam("outreach");
    const [id] = await t.people([{ firstName: "Olga" }]);
    const campaign = CampaignBody.parse(
      (
        await t.call("POST", "/api/v1/campaigns", {
          name: "Designers",
          stages: [
            {
              type: "email",
              delayMinutes: 0,
              mailboxId: t.mailboxId,
              subject: "Hi",
              body: "Hello",
            },
          ],
        })
      ).json,
    );
    await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: [id] });
    await alarmUntil(campaign.id, async () => {
      const rows = ProspectPage.parse(
        (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
      ).items;
      return rows[0]?.status === "failed";
    });
    const person = await t.call("GET", `/api/v1/people/${id}`);
    expect(person.json).toMatchObject({
      outreach: [
        {
          campaignId: campaign.id,
          campaignName: "Designers",
          status: "failed",
          reason: "null_email",
          stageIndex: 0,
        },
      ],
    });
  });

  it("deleting a person removes them from every campaign", async () => {
    const t = await engineTeam("gone");
    const [id, other] = await t.people([{ firstName: "Gus" }, { firstName: "Ida" }]);
    const campaign = CampaignBody.parse(
      (
        await t.call("POST", "/api/v1/campaigns", {
          name: "Later",
          stages: [
            {
              type: "email",
              delayMinutes: 600,
              mailboxId: t.mailboxId,
              subject: "Hi",
              body: "Hello",
            },
          ],
        })
      ).json,
    );
    await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: [id, other] });
    expect((await t.call("DELETE", `/api/v1/people/${id}`)).status).toBe(204);
    const rows = ProspectPage.parse(
      (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
    ).items;
    expect(rows.map((r) => r.personId)).toEqual([other]);
  });
});
