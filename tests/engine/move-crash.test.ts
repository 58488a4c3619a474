// Issue #7 hole 5: a move crashed at any step and retried with the same moveId completes
// the move; the person is never left Active in two campaigns.

import { env } from "cloudflare:workers";
import { engineHooks, type FaultStep, resetEngineHooks } from "@workers/testing/hooks";
import { getServerByName } from "partyserver";
import { afterEach, describe, expect, it } from "vitest";
import {
  act,
  apiKeyIdOf,
  BulkAnswer,
  createCampaign,
  emailStage,
  engineTeam,
  enroll,
  listProspects,
  outreachOf,
} from "../helpers/engine";

afterEach(() => resetEngineHooks());

const STEPS: FaultStep[] = ["move_after_intent", "move_after_receive"];

describe("a move retried with the same moveId completes, whatever step crashed", () => {
  for (const step of STEPS) {
    for (const how of ["throw", "crash"] as const) {
      it(`${how} at ${step}`, async () => {
        const label = `move-${how}-${step}`.replaceAll("_", "-");
        const t = await engineTeam(label);
        const ids = await t.people([
          { firstName: "Ada", emails: [{ address: `ada@${label}.example.org`, type: "personal" }] },
          { firstName: "Bo", emails: [{ address: `bo@${label}.example.org`, type: "personal" }] },
        ]);
        const source = await createCampaign(t, {
          name: "Source",
          stages: [emailStage(t.mailboxId, 24 * 60)],
        });
        const target = await createCampaign(t, {
          name: "Target",
          stages: [emailStage(t.mailboxId, 24 * 60)],
        });
        await enroll(t, source.id, ids);
        const moveId = crypto.randomUUID();
        let fired = false;
        engineHooks.fault = (at, campaignId, crash) => {
          if (fired || at !== step || campaignId !== source.id) return;
          fired = true;
          if (how === "crash") crash();
          throw new Error(`injected ${how} at ${step}`);
        };
        const move = {
          action: "move" as const,
          personIds: ids,
          toCampaignId: target.id,
          moveId,
        };
        const keyId = await apiKeyIdOf(t.teamId);
        const stub = await getServerByName(env.Campaign, source.id);
        const first = await stub.act(move, { kind: "api_key", id: keyId }).then(
          () => "answered",
          (error: unknown) => String(error),
        );
        expect(first).toMatch(/injected/);
        expect(fired).toBe(true);
        engineHooks.fault = undefined;

        const retried = await act(t, source.id, move);
        expect(retried.status, retried.text).toBe(200);
        const answer = BulkAnswer.parse(retried.json);
        expect(answer.applied).toBe(2);
        expect(answer.refused).toEqual([]);
        expect(await listProspects(t, source.id)).toEqual([]);
        const moved = await listProspects(t, target.id);
        expect(moved.map((p) => p.personId).sort()).toEqual([...ids].sort());
        expect(moved.every((p) => p.status === "active")).toBe(true);
        // Moved with history: the enrollment in the source comes along.
        const history = (await outreachOf(target.id, ids[0]))?.history ?? [];
        expect(history.filter((h) => h.action === "enroll").length).toBe(2);

        const again = await act(t, source.id, move);
        expect(BulkAnswer.parse(again.json)).toEqual(answer);
        expect((await listProspects(t, target.id)).length).toBe(2);
      });
    }
  }
});
