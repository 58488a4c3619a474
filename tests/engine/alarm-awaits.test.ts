// An alarm awaits D1 for the team's time zone before it times a hold that ends by itself
// (an out-of-office pause reaching its return date). A teammate's action can land during
// that await; the alarm must act on the prospect as the action left it, never write back
// the row it had read before.

import { runDurableObjectAlarm } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { sampleOutOfOffice } from "@workers/core/inbound/samples";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, it } from "vitest";
import {
  campaignNamespaceStub,
  emailLogOf,
  engineTeam,
  expectAlarmInvariant,
  listProspects,
} from "../helpers/engine";
import { deliver, sentStageOne } from "../inbound/helpers";

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

/** A gate the alarm waits at: `entered` resolves when it arrives, `open()` lets it go on. */
function gate() {
  let arrive = () => {};
  let release = () => {};
  const entered = new Promise<void>((r) => {
    arrive = r;
  });
  const opened = new Promise<void>((r) => {
    release = r;
  });
  return { entered, opened, arrive: () => arrive(), open: () => release() };
}

describe("an action that lands while an alarm awaits the team's time zone", () => {
  it("mark_replied during an out-of-office hold's end: Replied stays, nothing more is sent", async () => {
    const t = await engineTeam("tz-await");
    const address = "ola@tz-await.example";
    const { campaign, ids, byTo } = await sentStageOne(t, [{ firstName: "Ola", address }]);
    const sent = byTo.get(address);
    await deliver(
      sampleOutOfOffice({
        from: address,
        to: sent?.replyTo ?? "",
        subject: "Automatic reply: role",
        inReplyTo: sent?.messageId,
        text: "I am out of the office and will be back on Monday. Limited access to email.",
        withHeaders: true,
      }),
      { from: address, to: sent?.replyTo ?? "" },
    );
    const [held] = await listProspects(t, campaign.id);
    expect(held).toMatchObject({ status: "paused", reason: "out_of_office" });
    const returns = Date.parse(held.nextAt ?? "");
    expect(returns).toBeGreaterThan(clock.now());

    // The return date has come, and stage 2 (three days after stage 1) is due with it.
    setClockForTest(returns + 4 * 24 * 60 * 60_000);
    const g = gate();
    engineHooks.beforeTeamTimeZone = async (campaignId) => {
      if (campaignId !== campaign.id) return;
      g.arrive();
      await g.opened;
    };
    const alarm = runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
    await g.entered;
    const marked = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects/actions`, {
      action: "mark_replied",
      personIds: ids,
    });
    expect(marked.status, marked.text).toBe(200);
    g.open();
    await alarm;
    await expectAlarmInvariant(campaign.id);

    const [after] = await listProspects(t, campaign.id);
    expect(after.status).toBe("replied");
    const log = await emailLogOf(t, campaign.id);
    // Stage 1 only: the resumed hold did not send stage 2 over the teammate's Replied.
    expect(log.filter((r) => r.status === "sent").map((r) => r.stageIndex)).toEqual([0]);
    expect(log.some((r) => r.status === "waiting")).toBe(false);
  });
});
