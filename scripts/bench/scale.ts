// (i): one campaign of 100,000 prospects — enroll in chunks, a bulk action on all of them,
// the Prospects list's first page, and the CSV export, through the API with the limits
// wrapper on (every D1 statement of the Worker and the DOs goes through it).
import { newOrderedId } from "@workers/core/ids";
import { normalizeEmail, personSearchText, personSortName } from "@workers/core/people";
import { z } from "zod";
import {
  CampaignView,
  count,
  createCampaign,
  EnrollAnswer,
  IN_CAMPAIGNS,
  seedTeam,
  type Team,
  waitForMirrorIdle,
} from "./api";
import { type Bench, check, fmt, LIMITS, waitFor } from "./harness";

/** People in the (i) campaign, and per enroll call (the API takes 10,000 at most). */
export const SCALE = { people: 100_000, perCall: 10_000, pageRuns: 5 };

/**
 * Seeds `n` people straight into D1, 10,000 rows a statement bound as JSON (the bench's
 * own setup, not what it measures: insertPeople would take minutes for 100,000).
 */
async function seedPeople(d1: D1Database, team: Team, n: number): Promise<string[]> {
  const ids: string[] = [];
  const now = Date.now();
  for (let start = 0; start < n; start += SCALE.perCall) {
    const rows = Array.from({ length: Math.min(SCALE.perCall, n - start) }, (_, j) => {
      const i = start + j;
      const id = newOrderedId();
      const first = `Scale${i}`;
      const address = `scale.${i}@${team.label}.example.test`;
      ids.push(id);
      return [
        id,
        first,
        team.label,
        personSortName(first, team.label),
        personSearchText(first, team.label, [{ address }]),
        crypto.randomUUID(),
        address,
        normalizeEmail(address),
      ];
    });
    const json = JSON.stringify(rows);
    await d1.batch([
      d1
        .prepare(
          `INSERT INTO person (id, team_id, owner_id, first_name, last_name, sort_name, search_text, created_at, updated_at)
           SELECT value ->> 0, ?1, ?2, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ?3, ?3 FROM json_each(?4)`,
        )
        .bind(team.teamId, team.userId, now, json),
      d1
        .prepare(
          `INSERT INTO person_email (id, team_id, person_id, address, type, normalized, position)
           SELECT value ->> 5, ?1, value ->> 0, value ->> 6, 'personal', value ->> 7, 0 FROM json_each(?2)`,
        )
        .bind(team.teamId, json),
    ]);
  }
  return ids;
}

export async function seedScaleTeam(d1: D1Database): Promise<Team> {
  const team = await seedTeam(d1, "scale", { dailyEmailLimit: 1_000_000, onLimit: "defer" }, 0);
  team.people = await seedPeople(d1, team, SCALE.people);
  return team;
}

const ActAnswer = z.object({
  applied: z.number(),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

export async function benchScale(b: Bench, team: Team) {
  const n = team.people.length;
  const campaignId = await createCampaign(b, team, "Bench (i) 100,000");

  // Enroll: 10 calls of 10,000, one after the other (the progress is each call's answer).
  const calls: number[] = [];
  let enrolled = 0;
  const enroll = await timed(async () => {
    for (let i = 0; i < n; i += SCALE.perCall) {
      const call = await timed(async () =>
        EnrollAnswer.parse(
          await b.fetch(`/api/v1/campaigns/${campaignId}/prospects`, {
            method: "POST",
            key: team.key,
            body: { personIds: team.people.slice(i, i + SCALE.perCall), force: true },
          }),
        ),
      );
      calls.push(call.ms);
      enrolled += call.value.enrolled;
    }
  });
  check("(i) enrolled over the calls", enrolled, n);
  const view = CampaignView.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}`, { key: team.key }),
  );
  check("(i) campaign prospectCount", view.prospectCount, n);

  // The Prospects list's first page (as the tab asks for it), a few times: the median.
  const pages: number[] = [];
  let firstPage = 0;
  for (let r = 0; r < SCALE.pageRuns; r++) {
    const page = await timed(() =>
      b.fetch(`/api/v1/campaigns/${campaignId}/prospects?limit=50`, { key: team.key }),
    );
    pages.push(page.ms);
    firstPage = z.object({ items: z.array(z.unknown()) }).parse(page.value).items.length;
  }
  check("(i) first page rows", firstPage, 50);

  // CSV export of all 100,000.
  const csv = await timed(async () => {
    const res = await b.mf.dispatchFetch(
      `http://localhost/api/v1/campaigns/${campaignId}/prospects.csv`,
      {
        headers: { Authorization: `Bearer ${team.key}` },
        signal: AbortSignal.timeout(LIMITS.requestMs),
      },
    );
    const text = await res.text();
    return { status: res.status, text };
  });
  check("(i) CSV export status", csv.value.status, 200);
  const lines = csv.value.text.split(/\r?\n/).filter((l) => l.trim() !== "");
  check("(i) CSV export rows (+ header)", lines.length, n + 1);

  // A bulk action on everyone (all: true), chunked across Campaign DO calls.
  console.log(`(i) bulk pause of all ${fmt(n)} (all: true) starts`);
  const bulk = await timed(async () =>
    ActAnswer.parse(
      await b.fetch(`/api/v1/campaigns/${campaignId}/prospects/actions`, {
        method: "POST",
        key: team.key,
        body: { action: "pause", all: true },
      }),
    ),
  );
  check("(i) bulk pause applied", bulk.value.applied, n);
  check("(i) bulk pause refused", bulk.value.refused.length, 0);
  const paused = CampaignView.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}`, { key: team.key }),
  );
  check("(i) prospects Paused", paused.statusCounts.paused ?? 0, n);
  // The D1 mirror catches up by alarms after the answers.
  const mirrored = await waitFor(LIMITS.mirrorMs * 2, async () => {
    const c = await count(
      b.d1,
      `SELECT count(*) AS n FROM campaign_member WHERE ${IN_CAMPAIGNS} AND status = 'paused'`,
      JSON.stringify([campaignId]),
    );
    return c >= n ? c : null;
  });
  check("(i) D1 mirror: campaign_member Paused", mirrored ?? 0, n);
  await waitForMirrorIdle(b, [campaignId], "(i)");

  return {
    n,
    enrollMs: enroll.ms,
    enrollCalls: calls,
    firstPageMs: median(pages),
    csvMs: csv.ms,
    csvBytes: csv.value.text.length,
    bulkMs: bulk.ms,
  };
}

export const scaleFmt = (ms: number) => `${fmt(ms / 1000, 2)} s`;
