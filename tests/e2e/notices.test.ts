/**
 * An action's notice ("Canceled the email to …") stays on the page when the page reloads its
 * data live, and goes with the next navigation. A live reload is what the team feed asks for
 * when a page's socket first says hello, when many rows of a campaign change at once, and
 * what the usage meter does after a send: on a busy machine the hello often arrives while
 * the action is still in flight, and the notice flashed and vanished.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  apiKeyOf,
  browserForFile,
  call,
  logIdsWithStatus,
  signedInSession,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();

/** A campaign whose first email waits a day, with one person enrolled. */
async function arrange(key: string) {
  const tag = Date.now().toString(36);
  const mailbox = (await call(key, "POST", "/api/v1/mailboxes", {
    address: `nora.${tag}@acme.example`,
    name: "Nora Notice",
  })) as { id: string };
  const person = (await call(key, "POST", "/api/v1/people", {
    firstName: "Ada",
    lastName: "Notice",
    emails: [{ address: `ada.${tag}@mail.example`, type: "personal" }],
  })) as { id: string };
  const campaign = (await call(key, "POST", "/api/v1/campaigns", {
    name: `Notices ${tag}`,
    stages: [
      {
        type: "email",
        delayMinutes: 1440,
        mailboxId: mailbox.id,
        subject: "A role for {{firstName}}",
        body: "Hi {{firstName}},\n\nA role for you.\n\nNora",
      },
    ],
  })) as { id: string };
  await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: [person.id] });
  const [waitingId] = await logIdsWithStatus(key, campaign.id, "waiting");
  return { waitingId };
}

for (const viewport of VIEWPORTS) {
  describe(`action notices at ${viewport.width}×${viewport.height}`, () => {
    it("an Email Log notice stays through the feed's live reload, and goes with the next navigation", async () => {
      const s = await signedInSession(browser(), viewport, "notices");
      const { page } = s;
      try {
        const key = await apiKeyOf(page, "e2e notices");
        const { waitingId } = await arrange(key);

        // The team feed's frames reach the page only once let through, so its hello (and
        // the reload it asks for) comes after the action, as it does on a loaded machine.
        const held: (() => void)[] = [];
        let holding = true;
        await page.routeWebSocket(/\/parties\/account\//, (ws) => {
          const server = ws.connectToServer();
          server.onMessage((frame) => {
            if (holding) held.push(() => ws.send(frame));
            else ws.send(frame);
          });
        });

        await page.goto("/email-log");
        await page.waitForLoadState("networkidle");
        const row = page.locator(`tr[data-message="${waitingId}"]`);
        await row.getByRole("button", { name: /Cancel the scheduled email/ }).click();
        const notice = page.getByRole("status").getByText("Canceled the email to Ada Notice");
        await notice.waitFor();

        // The hello now arrives: the page reads its data again.
        const reloaded = page.waitForResponse(
          (r) => new URL(r.url()).pathname === "/email-log.data" && r.request().method() === "GET",
        );
        holding = false;
        for (const send of held.splice(0)) send();
        await reloaded;
        await page.locator('[data-live="live"]').waitFor();
        await page.waitForLoadState("networkidle");
        await sleep(300);
        assert.ok(
          await notice.isVisible(),
          "the cancel's notice is still shown after the live reload",
        );
        await s.shot("notice-after-reload");

        // A navigation of its own (a filter) ends the notice.
        await page.getByLabel("Status").selectOption("canceled");
        await page.waitForURL(/status=canceled/);
        await page.locator(`tr[data-message="${waitingId}"]`).waitFor();
        assert.equal(await notice.count(), 0, "the notice went with the filter's navigation");
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
