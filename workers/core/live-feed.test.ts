import { describe, expect, it } from "vitest";
import {
  type AccountEntry,
  applyCampaignEntries,
  applyEmailEntries,
  catchUpFrom,
  type EmailRow,
  entryKey,
  parseAccountFrame,
  parseCampaignFrame,
  parseSince,
  presentUsers,
  pruneBounds,
} from "./live-feed";

const row = (id: string, over: Partial<EmailRow> = {}): EmailRow => ({
  id,
  campaignId: "c1",
  personId: "p1",
  stageIndex: 0,
  stageId: "s1",
  channel: "email",
  mailboxId: null,
  to: null,
  subject: "Hi",
  status: "waiting",
  scheduledAt: null,
  sentAt: null,
  messageId: null,
  providerId: null,
  personName: "Ann",
  campaignName: "C",
  ...over,
});
const email = (r: EmailRow, createdAt = 100): AccountEntry => ({
  kind: "email",
  createdAt,
  row: r,
});

describe("the change log's retention and catch-up", () => {
  it("prunes only what is both 1,000 versions and a day old", () => {
    expect(pruneBounds(5_000, 100_000_000)).toEqual({
      maxVersion: 4_000,
      before: 100_000_000 - 86_400_000,
    });
  });

  it("replays from the floor on, and snapshots below it or from the future", () => {
    expect(catchUpFrom(10, 10, 20)).toBe("replay");
    expect(catchUpFrom(9, 10, 20)).toBe("snapshot");
    expect(catchUpFrom(20, 0, 20)).toBe("replay");
    expect(catchUpFrom(21, 0, 20)).toBe("snapshot");
  });

  it("reads ?since= as a whole number or nothing", () => {
    expect(parseSince("42")).toBe(42);
    expect(parseSince(null)).toBeNull();
    expect(parseSince("-1")).toBeNull();
    expect(parseSince("1.5")).toBeNull();
    expect(parseSince("abc")).toBeNull();
  });

  it("coalesces a person's Outreach line and its removal under one key", () => {
    const line = entryKey({
      kind: "outreach",
      personId: "p",
      campaignId: "c",
      campaignName: "C",
      status: "active",
      reason: null,
      stageIndex: 0,
      stageId: null,
      nextAt: null,
    });
    expect(line).toBe(entryKey({ kind: "outreach_removed", personId: "p", campaignId: "c" }));
  });
});

describe("applying team-feed entries to a page", () => {
  it("updates a campaign row's counts, status and name in place", () => {
    const rows = [
      { id: "a", name: "A", status: "active", prospectCount: 1, statusCounts: { active: 1 } },
      { id: "b", name: "B", status: "draft", prospectCount: 0, statusCounts: {} },
    ];
    const next = applyCampaignEntries(rows, [
      {
        kind: "campaign",
        id: "a",
        name: "A2",
        status: "disabled",
        prospectCount: 3,
        statusCounts: { active: 2, paused: 1 },
        version: 4,
      },
    ]);
    expect(next[0]).toEqual({
      id: "a",
      name: "A2",
      status: "disabled",
      prospectCount: 3,
      statusCounts: { active: 2, paused: 1 },
    });
    expect(next[1]).toBe(rows[1]);
  });

  it("changes Email Log rows in place, drops the ones that stop matching, adds new ones on top", () => {
    const shown = [{ ...row("m1"), openedAt: "2030-01-01T00:00:00.000Z" }, row("m2")];
    const next = applyEmailEntries(
      shown,
      [
        email(row("m1", { status: "sent" })),
        email(row("m2", { status: "canceled" })),
        email(row("m3"), 200),
        email(row("m4", { campaignId: "other" }), 200),
      ],
      { filter: { status: undefined, campaignId: "c1" }, addNew: true, addCreatedAfter: 0 },
    );
    expect(next.map((r) => [r.id, r.status])).toEqual([
      ["m3", "waiting"],
      ["m1", "sent"],
      ["m2", "canceled"],
    ]);
    expect(next[1].openedAt).toBe("2030-01-01T00:00:00.000Z");

    const waitingOnly = applyEmailEntries(shown, [email(row("m2", { status: "canceled" }))], {
      filter: { status: "waiting" },
      addNew: true,
      addCreatedAfter: 0,
    });
    expect(waitingOnly.map((r) => r.id)).toEqual(["m1"]);
  });

  it("adds nothing on an older page, and nothing created before a full page was read", () => {
    const entries = [email(row("new"), 500), email(row("old"), 50)];
    expect(
      applyEmailEntries([row("m1")], entries, { filter: {}, addNew: false, addCreatedAfter: 0 }),
    ).toEqual([row("m1")]);
    expect(
      applyEmailEntries([row("m1")], entries, {
        filter: {},
        addNew: true,
        addCreatedAfter: 100,
      }).map((r) => r.id),
    ).toEqual(["new", "m1"]);
  });
});

describe("presence", () => {
  it("lists each user once, editing over viewing, and forgets the silent", () => {
    const now = 10_000;
    expect(
      presentUsers(
        [
          { userId: "u1", name: "Zoe", mode: "viewing", seen: now - 500 },
          { userId: "u1", name: "Zoe", mode: "editing", seen: now - 100 },
          { userId: "u2", name: "Al", mode: "viewing", seen: now - 2_000 },
          { userId: "u3", name: "Gone", mode: "viewing", seen: now - 3_500 },
          { userId: "u4", name: "Feed only", mode: null, seen: now },
          { userId: null, name: null, mode: "viewing", seen: now },
        ],
        now,
      ),
    ).toEqual([
      { userId: "u2", name: "Al", mode: "viewing" },
      { userId: "u1", name: "Zoe", mode: "editing" },
    ]);
  });
});

describe("frames", () => {
  const liveRow = {
    personId: "a",
    name: "A",
    status: "active",
    stageIndex: 0,
    stageId: "s1",
    updatedAt: null,
  };

  it("parses the Campaign DO's frames and ignores anything else", () => {
    expect(parseCampaignFrame(JSON.stringify({ type: "hello", rev: 4, campaignId: "c" }))).toEqual({
      type: "hello",
      rev: 4,
    });
    const diff = parseCampaignFrame(
      JSON.stringify({ type: "prospects", rev: 9, rows: [liveRow], removed: ["b"] }),
    );
    expect(diff).toEqual({ type: "prospects", rev: 9, rows: [liveRow], removed: ["b"] });
    expect(parseCampaignFrame("not json")).toBeNull();
    expect(parseCampaignFrame(JSON.stringify({ type: "prospects", rev: "x" }))).toBeNull();
    expect(parseCampaignFrame(JSON.stringify({ type: "error", message: "no" }))).toBeNull();
    expect(parseCampaignFrame(new ArrayBuffer(2))).toBeNull();
  });

  it("parses the team feed's frames and ignores anything else", () => {
    expect(parseAccountFrame(JSON.stringify({ type: "hello", teamId: "t", version: 3 }))).toEqual({
      type: "hello",
      teamId: "t",
      version: 3,
    });
    expect(
      parseAccountFrame(
        JSON.stringify({ type: "changes", version: 5, entries: [{ kind: "usage", usage: 1 }] }),
      ),
    ).toBeNull();
    expect(parseAccountFrame("{")).toBeNull();
    expect(parseAccountFrame(null)).toBeNull();
  });
});
