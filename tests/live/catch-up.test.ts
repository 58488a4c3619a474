// Issue #9 (DESIGN.md §2 "Live updates"): the campaign feed's versioned catch-up — a
// client reconnecting with ?since= gets exactly what it missed, removals included; a
// client older than the retained log gets a snapshot — and definition changes announced.

import { resetClockForTest, setClockForTest } from "@workers/clock";
import { LOG_KEEP_MS, LOG_KEEP_VERSIONS } from "@workers/core/live-feed";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { act, createCampaign, engineTeam, enroll } from "../helpers/engine";
import { catchUp, connected } from "./socket";

const Hello = z.object({ type: z.literal("hello"), rev: z.number(), version: z.number() });

afterEach(() => resetClockForTest());

const taskCampaign = { name: "Live", stages: [{ type: "task", delayMinutes: 0, title: "Call" }] };

describe("the campaign feed's catch-up", () => {
  it("sends a reconnecting client exactly the rows changed and the people removed since", async () => {
    const t = await engineTeam("live-catch");
    const c = await createCampaign(t, taskCampaign);
    const [a, b, kept, later] = await t.people(
      ["A", "B", "Kept", "Later"].map((firstName) => ({
        firstName,
        email: `${firstName.toLowerCase()}@example.com`,
      })),
    );
    await enroll(t, c.id, [a, b, kept]);

    const first = await connected(t.cookie, `/parties/campaign/${c.id}`);
    const { rev } = Hello.parse(await first.next((f) => f.type === "hello"));
    first.ws.close();

    // While away: one paused, one removed, one newly enrolled.
    expect((await act(t, c.id, { action: "pause", personIds: [a] })).status).toBe(200);
    expect((await act(t, c.id, { action: "remove", personIds: [b] })).status).toBe(200);
    await enroll(t, c.id, [later]);

    const again = await connected(t.cookie, `/parties/campaign/${c.id}?since=${rev}`);
    const missed = await catchUp(again);
    expect(missed.rows.map((r) => [r.personId, r.status]).sort()).toEqual(
      [
        [a, "paused"],
        [later, "active"],
      ].sort(),
    );
    expect(missed.removed).toEqual([b]);
    again.ws.close();

    // Up to date: nothing to replay, one empty frame says so.
    const current = Hello.parse(
      await (await connected(t.cookie, `/parties/campaign/${c.id}`)).next(
        (f) => f.type === "hello",
      ),
    ).rev;
    const fresh = await connected(t.cookie, `/parties/campaign/${c.id}?since=${current}`);
    expect(await catchUp(fresh)).toEqual({ rows: [], removed: [] });
    fresh.ws.close();
  });

  it("tells a client older than the retained log (or from the future) to reload", async () => {
    const t = await engineTeam("live-old");
    const c = await createCampaign(t, taskCampaign);
    const [gone] = await t.people([
      { firstName: "Gone", emails: [{ address: "gone@example.org", type: "personal" }] },
    ]);
    await enroll(t, c.id, [gone]);
    const probe = await connected(t.cookie, `/parties/campaign/${c.id}`);
    const before = Hello.parse(await probe.next((f) => f.type === "hello")).rev;
    probe.ws.close();
    expect((await act(t, c.id, { action: "remove", personIds: [gone] })).status).toBe(200);

    // A day later, more than LOG_KEEP_VERSIONS versions on: the removal is past retention.
    setClockForTest(Date.now() + LOG_KEEP_MS + 60_000);
    const many = await t.people(
      Array.from({ length: LOG_KEEP_VERSIONS + 5 }, (_, i) => ({
        firstName: `P${i}`,
        email: `p${i}@example.com`,
      })),
    );
    for (let i = 0; i < many.length; i += 500) await enroll(t, c.id, many.slice(i, i + 500));

    const old = await connected(t.cookie, `/parties/campaign/${c.id}?since=${before}`);
    const hello = Hello.parse(await old.next((f) => f.type === "hello"));
    expect(await old.next((f) => f.type === "snapshot" || f.type === "prospects")).toEqual({
      type: "snapshot",
      rev: hello.rev,
    });
    old.ws.close();

    const future = await connected(t.cookie, `/parties/campaign/${c.id}?since=${hello.rev + 50}`);
    expect(await future.next((f) => f.type === "snapshot" || f.type === "prospects")).toMatchObject(
      { type: "snapshot" },
    );
    future.ws.close();
  });

  it("announces a definition change (a stage's new subject) to everyone watching", async () => {
    const t = await engineTeam("live-def");
    const c = await createCampaign(t, {
      name: "Def",
      stages: [
        {
          type: "email",
          delayMinutes: 60,
          mailboxId: t.mailboxId,
          subject: "Old subject",
          body: "Hi",
        },
      ],
    });
    const watcher = await connected(t.cookie, `/parties/campaign/${c.id}`);
    const hello = Hello.parse(await watcher.next((f) => f.type === "hello"));
    const read = await t.call("GET", `/api/v1/campaigns/${c.id}`);
    const body = z
      .object({ version: z.number(), stages: z.array(z.record(z.string(), z.unknown())) })
      .parse(read.json);
    const patched = await t.call("PATCH", `/api/v1/campaigns/${c.id}`, {
      version: body.version,
      stages: [{ ...body.stages[0], subject: "New subject" }],
    });
    expect(patched.status, patched.text).toBe(200);
    expect(await watcher.next((f) => f.type === "campaign")).toMatchObject({
      type: "campaign",
      version: hello.version + 1,
      status: "active",
    });
    watcher.ws.close();
  });
});
