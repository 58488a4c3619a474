// Issue #9 (DESIGN.md §2 "Live updates"): the team feed /parties/account/<teamId> carries
// what lists show — campaign counts, Email Log rows, profiles' Outreach, usage — with a
// versioned catch-up; a member removed from the team gets nothing more.

import { resetClockForTest, setClockForTest } from "@workers/clock";
import { PUBLISH_ROWS_MAX } from "@workers/live/campaign-publication";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  act,
  alarmUntil,
  createCampaign,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
} from "../helpers/engine";
import { addMember, page } from "../helpers/teams";
import { connected, type Frame, openSocket, within } from "./socket";

const Entry = z.looseObject({ kind: z.string() });
const Changes = z.object({
  type: z.literal("changes"),
  version: z.number(),
  entries: z.array(Entry),
});

/** Every entry received so far, oldest first. */
function entries(frames: Frame[]) {
  return frames.flatMap((f) => (f.type === "changes" ? Changes.parse(f).entries : []));
}

const hasEntry = (match: (e: z.infer<typeof Entry>) => boolean) => (f: Frame) =>
  f.type === "changes" && Changes.parse(f).entries.some(match);

afterEach(() => resetClockForTest());

describe("the team feed", () => {
  it("carries an enroll's counts and Outreach lines, an Email Log row's change and usage", async () => {
    // A Monday morning: inside any default sending window.
    setClockForTest(Date.parse("2030-01-07T10:00:00Z"));
    const t = await engineTeam("acct-feed");
    const later = await createCampaign(t, {
      name: "Later",
      stages: [emailStage(t.mailboxId, 60, { subject: "Later hello" })],
    });
    const [ann, bob] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
      { firstName: "Bob", emails: [{ address: "bob@example.org", type: "personal" }] },
    ]);
    const feed = await connected(t.cookie, `/parties/account/${t.teamId}`);
    await feed.next((f) => f.type === "hello");

    await enroll(t, later.id, [ann, bob]);
    await feed.next(
      hasEntry((e) => e.kind === "campaign" && e.id === later.id && e.prospectCount === 2),
    );
    expect(
      entries(feed.frames)
        .filter((e) => e.kind === "campaign")
        .at(-1),
    ).toMatchObject({
      id: later.id,
      name: "Later",
      status: "active",
      prospectCount: 2,
      statusCounts: { active: 2 },
    });
    const outreach = entries(feed.frames).filter((e) => e.kind === "outreach");
    expect(outreach.map((e) => e.personId).sort()).toEqual([ann, bob].sort());
    expect(outreach[0]).toMatchObject({
      campaignId: later.id,
      campaignName: "Later",
      status: "active",
      stageIndex: 0,
    });

    // The Email Log row, in the API's shape, then canceled.
    const [waiting] = (await emailLogOf(t, later.id)).filter((m) => m.personId === ann);
    expect(waiting.status).toBe("waiting");
    await feed.next(hasEntry((e) => e.kind === "email"));
    const canceled = await t.call("POST", `/api/v1/email-log/${waiting.id}/cancel`);
    expect(canceled.status, canceled.text).toBe(200);
    await feed.next(
      hasEntry(
        (e) =>
          e.kind === "email" &&
          z.object({ id: z.string(), status: z.string() }).parse(e.row).status === "canceled",
      ),
    );
    const listed = await t.call("GET", `/api/v1/email-log?campaignId=${later.id}`);
    const apiRow = z
      .object({ items: z.array(z.looseObject({ id: z.string() })) })
      .parse(listed.json)
      .items.find((m) => m.id === waiting.id);
    const liveRow = entries(feed.frames)
      .filter((e) => e.kind === "email")
      .map((e) => e.row)
      .at(-1);
    expect(liveRow).toEqual(apiRow);

    // Usage: a send today reserves quota.
    const now = await createCampaign(t, {
      name: "Now",
      stages: [emailStage(t.mailboxId, 0, { subject: "Now hello" })],
    });
    const [cat] = await t.people([
      { firstName: "Cat", emails: [{ address: "cat@example.org", type: "personal" }] },
    ]);
    await enroll(t, now.id, [cat]);
    await alarmUntil(now.id, async () =>
      (await emailLogOf(t, now.id)).some((m) => m.status !== "waiting"),
    );
    const Usage = z.object({ sentToday: z.number(), mailboxes: z.record(z.string(), z.number()) });
    const sent = (e: z.infer<typeof Entry>) =>
      e.kind === "usage" && Usage.parse(e.usage).sentToday > 0;
    const usage = await feed.next(hasEntry(sent), 5_000);
    expect(Changes.parse(usage).entries.find(sent)?.usage).toMatchObject({
      sentToday: 1,
      mailboxes: { [t.mailboxId]: 1 },
    });
    feed.ws.close();
  });

  it("catches a reconnecting client up from ?since=, and a too-new one gets a snapshot", async () => {
    const t = await engineTeam("acct-catch");
    const c = await createCampaign(t, {
      name: "Catch",
      stages: [{ type: "task", delayMinutes: 0, title: "Call" }],
    });
    const [a, b] = await t.people([
      { firstName: "A", emails: [{ address: "a@example.org", type: "personal" }] },
      { firstName: "B", emails: [{ address: "b@example.org", type: "personal" }] },
    ]);
    await enroll(t, c.id, [a, b]);
    const first = await connected(t.cookie, `/parties/account/${t.teamId}`);
    const hello = z
      .object({ version: z.number() })
      .parse(await first.next((f) => f.type === "hello"));
    first.ws.close();

    expect((await act(t, c.id, { action: "pause", personIds: [a] })).status).toBe(200);
    expect((await act(t, c.id, { action: "remove", personIds: [b] })).status).toBe(200);

    const again = await connected(t.cookie, `/parties/account/${t.teamId}?since=${hello.version}`);
    await again.next((f) => f.type === "changes");
    const missed = entries(again.frames);
    expect(missed.find((e) => e.kind === "outreach" && e.personId === a)).toMatchObject({
      status: "paused",
    });
    expect(missed.find((e) => e.kind === "outreach_removed")).toEqual({
      kind: "outreach_removed",
      personId: b,
      campaignId: c.id,
    });
    expect(missed.find((e) => e.kind === "campaign")).toMatchObject({
      prospectCount: 1,
      statusCounts: { paused: 1 },
    });
    // Nothing from before `since`: the enroll's Outreach line for b was replaced by its removal.
    expect(missed.filter((e) => e.kind === "outreach" && e.personId === b)).toEqual([]);
    const version = z
      .object({ version: z.number() })
      .parse(again.frames.find((f) => f.type === "hello")).version;
    again.ws.close();

    const future = await connected(t.cookie, `/parties/account/${t.teamId}?since=${version + 10}`);
    expect(await future.next((f) => f.type === "snapshot")).toEqual({ type: "snapshot", version });
    future.ws.close();
  });

  it("says `reload` for a change of more rows than PUBLISH_ROWS_MAX instead of sending each", async () => {
    const t = await engineTeam("acct-bulk");
    const c = await createCampaign(t, {
      name: "Bulk",
      stages: [emailStage(t.mailboxId, 60, { subject: "Bulk hello" })],
    });
    // Each enrolled person is two rows (the prospect and their Waiting message).
    const n = Math.ceil(PUBLISH_ROWS_MAX / 2) + 10;
    const ids = await t.people(
      Array.from({ length: n }, (_, i) => ({
        firstName: `B${i}`,
        emails: [{ address: `b${i}@acct-bulk.example.org`, type: "personal" as const }],
      })),
    );
    const feed = await connected(t.cookie, `/parties/account/${t.teamId}`);
    await feed.next((f) => f.type === "hello");

    await enroll(t, c.id, ids);
    await runAlarm(c.id); // a change this big is mirrored by the alarm (ADR 0029)
    await feed.next(hasEntry((e) => e.kind === "reload" && e.campaignId === c.id));
    const got = entries(feed.frames);
    expect(got.filter((e) => e.kind === "email" || e.kind === "outreach")).toEqual([]);
    expect(got.filter((e) => e.kind === "campaign").at(-1)).toMatchObject({
      id: c.id,
      prospectCount: n,
    });

    // A small change right after is sent row by row again.
    const [first] = (await emailLogOf(t, c.id)).filter((m) => m.personId === ids[0]);
    const canceled = await t.call("POST", `/api/v1/email-log/${first.id}/cancel`);
    expect(canceled.status, canceled.text).toBe(200);
    await feed.next(
      hasEntry(
        (e) => e.kind === "email" && z.object({ id: z.string() }).parse(e.row).id === first.id,
      ),
    );
    feed.ws.close();
  });

  it("closes a removed member's team feed at once; they get nothing more", async () => {
    const owner = await engineTeam("acct-owner");
    const member = await addMember(owner, "acct-member", "member");
    const c = await createCampaign(owner, {
      name: "Team",
      stages: [{ type: "task", delayMinutes: 0, title: "Call" }],
    });
    const theirs = await connected(member.cookie, `/parties/account/${owner.teamId}`);
    const ours = await connected(owner.cookie, `/parties/account/${owner.teamId}`);
    await theirs.next((f) => f.type === "hello");
    await ours.next((f) => f.type === "hello");

    const removed = await page(owner.cookie, "/settings/members", {
      intent: "remove",
      id: member.memberId,
    });
    expect(removed.status).toBe(200);
    expect(await within(theirs.closed, 2_000)).toBe(4003);
    const seen = theirs.frames.length;

    const [p] = await owner.people([
      { firstName: "P", emails: [{ address: "p@example.org", type: "personal" }] },
    ]);
    await enroll(owner, c.id, [p]);
    await ours.next(hasEntry((e) => e.kind === "campaign" && e.prospectCount === 1));
    expect(theirs.frames.length).toBe(seen);
    expect(await openSocket(member.cookie, `/parties/account/${owner.teamId}`)).toBe(401);
    ours.ws.close();
  });
});
