import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sampleBounce, sampleReply } from "@workers/core/inbound/samples";
import { engineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  act,
  campaignNamespaceStub,
  createCampaign,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
} from "../helpers/engine";
import { deliver, sentStageOne } from "../inbound/helpers";

/*
 * A lookup of a list of ids (people, their addresses, members, log rows) must find each id
 * through an index on that id, not read every row the team has and keep the listed ones: the
 * cost of a batch of 100 sends, an enroll or an inbound reply would grow with the team's
 * size instead of the list's. SQLite has no statistics on D1, so it tends to choose an index
 * on team_id alone whenever the WHERE names the team (100 ids in a team of 100,000 people:
 * 100,000 rows read for 100). The plans are read back with EXPLAIN QUERY PLAN on the very
 * statements the Worker bound, through its public entry points.
 */

type Bound = { sql: string; values: unknown[] };

/** A statement that looks up a bound list: `IN (SELECT value FROM json_each(?))` or `IN (?, ?…)`. */
const ID_LIST = /\bin\s*\(\s*(?:select\s+value\s+from\s+json_each|\?)/i;

const PlanRow = z.object({ detail: z.string() });

/**
 * The plan lines that read a table other than by a listed id: a SCAN of a table, or a
 * SEARCH whose index is used by the team (and maybe a status or time) only.
 */
function teamWideReads(plan: string[]): string[] {
  return plan.filter((line) => {
    if (/^SCAN (json_each|CONSTANT ROW)/.test(line) || /SUBQUERY|BLOOM|TEMP B-TREE/.test(line)) {
      return false;
    }
    if (/^SCAN /.test(line)) return true;
    const used = /USING (?:COVERING |PRIMARY KEY|INTEGER PRIMARY KEY)?.*?\((.*)\)/.exec(line);
    if (!used) return false;
    const columns = used[1].split(" AND ").map((c) => c.replace(/[=<>].*$/, "").trim());
    return !columns.some((c) => c !== "team_id" && c !== "status" && c !== "sent_at");
  });
}

async function planOf(s: Bound): Promise<string[]> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`)
    .bind(...s.values)
    .all();
  return z
    .array(PlanRow)
    .parse(rows.results)
    .map((r) => r.detail);
}

/**
 * Runs `work`, keeping every statement with a bound id list that it made: on D1, or on a
 * Campaign DO's own SQLite.
 */
async function idListStatements(
  where: "onD1Statement" | "onCampaignStatement",
  work: () => Promise<void>,
): Promise<Bound[]> {
  const seen: Bound[] = [];
  engineHooks[where] = (sql, values) => {
    if (ID_LIST.test(sql)) seen.push({ sql, values });
  };
  try {
    await work();
  } finally {
    engineHooks[where] = undefined;
  }
  return seen;
}

async function expectIdSearches(statements: Bound[], what: string) {
  expect(statements.length, `${what} looks up some list of ids`).toBeGreaterThan(0);
  const wide: string[] = [];
  for (const s of statements) {
    const bad = teamWideReads(await planOf(s));
    if (bad.length > 0) wide.push(`${bad.join("; ")}\n    in: ${s.sql.slice(0, 240)}`);
  }
  expect(wide, `${what}: statements that read the team's rows, not the listed ids`).toEqual([]);
}

afterEach(() => {
  engineHooks.onD1Statement = undefined;
  engineHooks.onCampaignStatement = undefined;
});

describe("a lookup of listed ids searches by those ids, never through the whole team", () => {
  it("enroll, the send of a batch and the CSV export", async () => {
    const t = await engineTeam("id-lookups");
    const ids = await t.people(
      Array.from({ length: 5 }, (_, i) => ({
        firstName: `L${i}`,
        emails: [{ address: `l${i}@id-lookups.example`, type: "personal" as const }],
        phones: [{ number: `+1415555010${i}`, type: "mobile" as const }],
      })),
    );
    const other = await createCampaign(t, {
      name: "Earlier",
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, other.id, ids.slice(0, 2));
    await runAlarm(other.id);
    const c = await createCampaign(t, { name: "Lookups", stages: [emailStage(t.mailboxId, 0)] });

    // The enroll's checks (people, suppressions, conflicts with the other campaign).
    const enrolling = await idListStatements("onD1Statement", async () => {
      const res = await t.call("POST", `/api/v1/campaigns/${c.id}/prospects`, { personIds: ids });
      expect(res.status, res.text).toBe(200);
    });
    await expectIdSearches(enrolling, "the enroll");

    await enroll(t, c.id, ids);
    // The batch's people, addresses, phones, suppressions and mailboxes.
    const sending = await idListStatements("onD1Statement", async () => {
      await runAlarm(c.id);
    });
    await expectIdSearches(sending, "the send of a batch");

    const exporting = await idListStatements("onD1Statement", async () => {
      const res = await t.call("GET", `/api/v1/campaigns/${c.id}/prospects.csv`);
      expect(res.status, res.text).toBe(200);
    });
    await expectIdSearches(exporting, "the CSV export");
  });

  it("an inbound reply and a bounce report matched by address", async () => {
    const t = await engineTeam("id-lookups-in");
    await sentStageOne(t, [{ firstName: "Mo", address: "mo@id-lookups-in.example" }]);
    const mailboxes = await t.call("GET", "/api/v1/mailboxes");
    const sync = z
      .object({ items: z.array(z.object({ id: z.string(), syncAddress: z.string().nullable() })) })
      .parse(mailboxes.json)
      .items.find((m) => m.id === t.mailboxId)?.syncAddress;
    if (!sync) throw new Error("the mailbox has no sync address");

    const replying = await idListStatements("onD1Statement", async () => {
      await deliver(
        sampleReply({
          from: "mo@id-lookups-in.example",
          to: "x@beacon.test",
          subject: "hello",
          text: "Call me.",
        }),
        { from: "mo@id-lookups-in.example", to: sync },
      );
    });
    await expectIdSearches(replying, "a reply matched by its sender");

    const bouncing = await idListStatements("onD1Statement", async () => {
      await deliver(
        sampleBounce({
          from: "MAILER-DAEMON@mx.id-lookups-in.example",
          to: sync,
          recipient: "mo@id-lookups-in.example",
          status: "5.1.1",
          diagnostic: "550 5.1.1 User unknown",
          original: {
            messageId: "<not-ours@mx.elsewhere.example>",
            subject: "A role",
            from: "id-lookups-in@beacon.test",
          },
        }),
        { from: "MAILER-DAEMON@mx.id-lookups-in.example", to: sync },
      );
    });
    await expectIdSearches(bouncing, "a bounce matched by its original and recipient");
  });
});

async function expectCampaignIdSearches(campaignId: string, statements: Bound[], what: string) {
  expect(statements.length, `${what} looks up some list of ids`).toBeGreaterThan(0);
  const wide = await runInDurableObject(campaignNamespaceStub(campaignId), (_i, state) =>
    statements.flatMap((s) => {
      const plan = state.storage.sql
        .exec(`EXPLAIN QUERY PLAN ${s.sql}`, ...(s.values as SqlStorageValue[]))
        .toArray()
        .map((r) => PlanRow.parse(r).detail);
      const bad = teamWideReads(plan);
      return bad.length > 0 ? [`${bad.join("; ")}\n    in: ${s.sql.slice(0, 240)}`] : [];
    }),
  );
  expect(wide, `${what}: statements that read by status, not by the listed ids`).toEqual([]);
}

describe("in the Campaign DO, a lookup of listed people searches by them, never by status", () => {
  it("the send of a batch and a bulk action", async () => {
    const t = await engineTeam("id-lookups-do");
    const ids = await t.people(
      Array.from({ length: 6 }, (_, i) => ({
        firstName: `D${i}`,
        emails: [{ address: `d${i}@id-lookups-do.example`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, {
      name: "DO lookups",
      stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 3 * 24 * 60)],
    });
    await enroll(t, c.id, ids);
    const sending = await idListStatements("onCampaignStatement", async () => {
      await runAlarm(c.id);
    });
    await expectCampaignIdSearches(c.id, sending, "the send of a batch");

    const pausing = await idListStatements("onCampaignStatement", async () => {
      const res = await act(t, c.id, { action: "pause", all: true });
      expect(res.status, res.text).toBe(200);
    });
    await expectCampaignIdSearches(c.id, pausing, "a bulk pause");
  });
});
