/**
 * Live updates (issue #9 part 1): two users of one team see each other on the campaign page
 * and one's pause appears on the other's screen; with /campaigns, /campaigns/:id, the Email
 * Log and a profile open, JSON API changes show within 3 s; a page offline for 10 s catches
 * up without a reload. Screenshots: tests/e2e/screenshots/live-*.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Page } from "playwright-core";
import {
  apiKeyOf,
  browserForFile,
  call,
  invitedTeammate,
  noSidewaysScroll,
  openSession,
  type Session,
  signUpThroughForm,
  uniqueEmail,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();
const [desktop, phone] = VIEWPORTS;
const LIVE_MS = 3_000;

/** Problems other than the failed socket attempts a page makes while it is offline. */
const realProblems = (s: Session) => s.problems.filter((p) => !/WebSocket|ERR_INTERNET/.test(p));

type Campaign = { id: string; version: number; stages: Record<string, unknown>[] };

/** A mailbox, eight people and a campaign whose first email waits a day. */
async function arrange(key: string) {
  const tag = Date.now().toString(36);
  const mailbox = (await call(key, "POST", "/api/v1/mailboxes", {
    address: `lena.${tag}@acme.example`,
    name: "Lena Live",
  })) as { id: string };
  const names = ["Ada", "Bob", "Cara", "Finn", "Gus", "Hal", "Ivy", "Jo"];
  const people: Record<string, string> = {};
  for (const firstName of names) {
    const p = (await call(key, "POST", "/api/v1/people", {
      firstName,
      lastName: "Live",
      emails: [{ address: `${firstName.toLowerCase()}.${tag}@mail.example`, type: "personal" }],
    })) as { id: string };
    people[firstName] = p.id;
  }
  const campaign = (await call(key, "POST", "/api/v1/campaigns", {
    name: `Live ${tag}`,
    stages: [
      {
        type: "email",
        delayMinutes: 1440,
        mailboxId: mailbox.id,
        subject: "First hello",
        body: "Hi {{firstName}},\n\nA role for you.\n\nLena",
      },
      { type: "call", delayMinutes: 1440, title: "Intro call" },
    ],
  })) as Campaign;
  const enrolled = names.filter((n) => n !== "Bob").map((n) => people[n]);
  await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: enrolled });
  return { people, campaign };
}

describe("live updates", () => {
  it("shows teammates, follows API changes on every page, and catches up after going offline", async () => {
    const owner = await openSession(browser(), desktop);
    await signUpThroughForm(owner.page, {
      name: "Olive Owner",
      email: uniqueEmail("live-owner"),
      teamName: "E2E live",
    });
    const key = await apiKeyOf(owner.page, "e2e live");
    const { people, campaign } = await arrange(key);

    const mate = await invitedTeammate(browser(), owner, phone, {
      name: "Milo Mate",
      tag: "live-mate",
      teamName: "Milo",
    });

    const extra: Page[] = [];
    try {
      // Presence: each sees the other on the campaign page, not themselves.
      const campaignPath = `/campaigns/${campaign.id}`;
      await owner.page.goto(campaignPath);
      await mate.page.goto(campaignPath);
      const milo = owner.page.locator(".presence-list li[data-presence-user]", {
        hasText: "Milo Mate",
      });
      await milo.waitFor({ timeout: LIVE_MS });
      assert.match((await milo.textContent()) ?? "", /viewing/);
      await mate.page
        .locator(".presence-list li[data-presence-user]", { hasText: "Olive Owner" })
        .waitFor({ timeout: LIVE_MS });
      assert.equal(
        await owner.page.locator(".presence-list li", { hasText: "Olive Owner" }).count(),
        0,
      );
      await owner.page.getByText("Up to date").first().waitFor();
      await owner.shot("live-campaign");
      await mate.shot("live-campaign");
      await noSidewaysScroll(mate.page);

      // A pause by the owner (the profile's quick action) shows on the teammate's page.
      const profile = await owner.context.newPage();
      extra.push(profile);
      await profile.goto(`/people/${people.Ada}`);
      const adaLine = profile.locator(`li.outreach-entry[data-campaign="${campaign.id}"]`);
      await adaLine.getByRole("button", { name: "Pause" }).click();
      await adaLine.getByText("Paused", { exact: true }).waitFor();
      await mate.page
        .locator(`tr[data-person="${people.Ada}"][data-status="paused"]`)
        .waitFor({ timeout: LIVE_MS });

      // The owner leaves the campaign page: Milo's list empties within 5 s.
      const olive = mate.page.locator(".presence-list li", { hasText: "Olive Owner" });
      await owner.page.goto("/campaigns");
      await olive.waitFor({ state: "detached", timeout: 5_000 });

      // Four pages open in the owner's browser; the changes come through the JSON API.
      const list = owner.page;
      const detail = await owner.context.newPage();
      const log = await owner.context.newPage();
      extra.push(detail, log);
      await detail.goto(campaignPath);
      await log.goto(`/email-log?campaignId=${campaign.id}`);
      await profile.goto(`/people/${people.Cara}`);
      for (const p of [list, detail, log, profile]) {
        await p.getByText("Up to date").first().waitFor();
      }

      // Enroll: the list's prospect total.
      const total = list.locator(`tr[data-campaign="${campaign.id}"] td[data-label="Prospects"]`);
      await total.locator("strong", { hasText: /^7$/ }).waitFor();
      await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
        personIds: [people.Bob],
      });
      await total.locator("strong", { hasText: /^8$/ }).waitFor({ timeout: LIVE_MS });

      // A stage's new subject on the campaign page.
      const current = (await call(key, "GET", `/api/v1/campaigns/${campaign.id}`)) as Campaign;
      await call(key, "PATCH", `/api/v1/campaigns/${campaign.id}`, {
        version: current.version,
        stages: [
          { ...current.stages[0], subject: "Fresh subject from the API" },
          current.stages[1],
        ],
      });
      await detail
        .locator(".stage-detail", { hasText: "Fresh subject from the API" })
        .waitFor({ timeout: LIVE_MS });

      // Canceling a Waiting message: its Email Log row turns canceled.
      const messages = (await call(
        key,
        "GET",
        `/api/v1/email-log?campaignId=${campaign.id}&status=waiting`,
      )) as { items: { id: string; personId: string }[] };
      const waiting = messages.items.find((m) => m.personId === people.Gus);
      assert.ok(waiting, "Gus has a Waiting email");
      await log.locator(`tr[data-message="${waiting.id}"][data-status="waiting"]`).waitFor();
      await call(key, "POST", `/api/v1/email-log/${waiting.id}/cancel`);
      await log
        .locator(`tr[data-message="${waiting.id}"][data-status="canceled"]`)
        .waitFor({ timeout: LIVE_MS });
      // Bob's new email appeared on top of the log without a reload.
      const bobs = messages.items.find((m) => m.personId === people.Bob);
      assert.ok(bobs, "Bob's email is in the log");
      await log.locator(`tr[data-message="${bobs.id}"]`).waitFor({ timeout: LIVE_MS });

      // A pause shows "Paused" on the profile.
      await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects/actions`, {
        action: "pause",
        personIds: [people.Cara],
      });
      await profile
        .locator(`li.outreach-entry[data-campaign="${campaign.id}"]`)
        .getByText("Paused", { exact: true })
        .waitFor({ timeout: LIVE_MS });

      // The teammate goes offline for 10 s while five are marked finished, then back.
      await mate.page.goto(campaignPath);
      await mate.page.getByText("Up to date").first().waitFor();
      const five = ["Finn", "Hal", "Ivy", "Jo", "Bob"].map((n) => people[n]);
      await mate.context.setOffline(true);
      await mate.page.getByText("Offline — reconnecting…").first().waitFor();
      await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects/actions`, {
        action: "finish",
        personIds: five,
      });
      await sleep(10_000);
      await mate.shot("live-offline");
      await mate.context.setOffline(false);
      for (const id of five) {
        await mate.page
          .locator(`tr[data-person="${id}"][data-status="complete"]`)
          .waitFor({ timeout: 15_000 });
      }
      await mate.page.getByText("Up to date").first().waitFor();
      await log.setViewportSize({ width: 390, height: 844 });
      await noSidewaysScroll(log);

      assert.deepEqual(realProblems(owner), []);
      assert.deepEqual(realProblems(mate), []);
    } finally {
      for (const p of extra) await p.close();
      await mate.close();
      await owner.close();
    }
  });
});
