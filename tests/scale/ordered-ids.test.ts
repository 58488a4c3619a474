import { describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, createCampaign, emailStage, engineTeam, enroll } from "../helpers/engine";

// People and a campaign's messages are made by the thousand: their ids are UUIDv7 (RFC 9562:
// 48 bits of milliseconds, then version 7), so ids made later sort after ids made earlier
// and a batch of new rows appends to the indexes keyed by them (ADR 0032).

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const Log = z.object({ items: z.array(z.object({ id: z.string(), personId: z.string() })) });

const increasing = (ids: string[]) => ids.every((id, i) => i === 0 || ids[i - 1] < id);

describe("ids of rows made in bulk", () => {
  it("gives people created together UUIDv7 ids, increasing in the order given", async () => {
    const t = await engineTeam("ordered-people");
    const first = await t.people(
      Array.from({ length: 500 }, (_, i) => ({ firstName: `First ${i}` })),
    );
    const later = await t.people([{ firstName: "Later" }]);
    const ids = [...first, ...later];
    expect(ids).toHaveLength(501);
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(501);
    expect(increasing(ids)).toBe(true);
  });

  it("gives a campaign's messages UUIDv7 ids, later enrolments' after earlier ones'", async () => {
    const t = await engineTeam("ordered-messages");
    const c = await createCampaign(t, { name: "Ids", stages: [emailStage(t.mailboxId, 60)] });
    const people = await t.people(
      ["a", "b", "c"].map((n) => ({
        firstName: n,
        emails: [{ address: `${n}@ordered-messages.example.test`, type: "personal" as const }],
      })),
    );
    // Enrolled one call at a time, the last person first: messages follow enrolment, not people.
    for (const id of [...people].reverse()) expect((await enroll(t, c.id, [id])).enrolled).toBe(1);
    let byPerson = new Map<string, string>();
    await alarmUntil(c.id, async () => {
      const log = Log.parse((await t.call("GET", `/api/v1/email-log?campaignId=${c.id}`)).json);
      byPerson = new Map(log.items.map((m) => [m.personId, m.id]));
      return byPerson.size === 3;
    });
    const messageIds = [...people].reverse().map((p) => byPerson.get(p) ?? "");
    for (const id of messageIds) expect(id).toMatch(V7);
    expect(increasing(messageIds)).toBe(true);
  });
});
