import { engineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, it } from "vitest";
import {
  createCampaign,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
} from "../helpers/engine";

/*
 * Issue #12: the send pipeline works per batch, not per prospect. An alarm that sends a
 * batch of N people runs each statement of the Campaign DO a number of times that does not
 * grow with N: a statement run once per prospect is a batch's work done N times.
 */

const N = 40;

afterEach(() => {
  engineHooks.onCampaignStatement = undefined;
});

describe("the send of a batch in the Campaign DO", () => {
  it(`runs no statement once per prospect (a batch of ${N})`, async () => {
    const t = await engineTeam("batch-statements");
    const ids = await t.people(
      Array.from({ length: N }, (_, i) => ({
        firstName: `B${i}`,
        emails: [{ address: `b${i}@batch-statements.example`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, {
      name: "Per batch",
      stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 3 * 24 * 60)],
    });
    await enroll(t, c.id, ids);

    const runs = new Map<string, number>();
    engineHooks.onCampaignStatement = (sql) => {
      const text = sql.replace(/\s+/g, " ").trim();
      runs.set(text, (runs.get(text) ?? 0) + 1);
    };
    await runAlarm(c.id);
    engineHooks.onCampaignStatement = undefined;

    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(sent, "the batch was sent").toHaveLength(N);
    // Half the batch is far more than any per-batch statement needs to run.
    const perProspect = [...runs].filter(([, n]) => n >= N / 2).map(([sql, n]) => `${n}× ${sql}`);
    expect(perProspect).toEqual([]);
  });
});
