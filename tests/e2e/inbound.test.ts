/**
 * Inbound mail in the browser (issue #8): a sent email of the sink answered with
 * "Simulate: Reply" in the Email Log, the person's Mail section, a mailbox's sync mail and
 * "Captures replies", and the admins' Unmatched mail page. Mail to the sync address goes
 * through wrangler dev's local email endpoint, as Email Routing would deliver it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiKeyOf,
  BASE_URL,
  browserForFile,
  call,
  type Items,
  logIdsWithStatus,
  type Session,
  signedInSession,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();

/** Raw RFC 822 mail to wrangler dev's local `email()` endpoint. */
async function deliver(from: string, to: string, headers: Record<string, string>, text: string) {
  const raw = [
    `From: ${headers.From ?? from}`,
    `To: ${headers.To ?? to}`,
    `Subject: ${headers.Subject ?? "(none)"}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${crypto.randomUUID()}@${from.split("@")[1]}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    text,
    "",
  ].join("\r\n");
  const url = `${BASE_URL}/cdn-cgi/local/email?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const res = await fetch(url, { method: "POST", body: raw });
  assert.ok(res.ok, `local email endpoint: ${res.status} ${await res.text()}`);
}

/** A mailbox, a person and a campaign whose first email the sink has sent. */
async function arrange(s: Session) {
  const key = await apiKeyOf(s.page, "e2e inbound");
  const tag = `${s.viewport.name}${Date.now().toString(36)}`;
  const mailboxAddress = `rita.${tag}@acme.example`;
  const personAddress = `ada.${tag}@mail.example`;
  await call(key, "POST", "/api/v1/mailboxes", { address: mailboxAddress, name: "Rita Recruiter" });
  const mailbox = (
    (await call(key, "GET", "/api/v1/mailboxes")) as Items<{ id: string; syncAddress: string }>
  ).items[0];
  const person = (await call(key, "POST", "/api/v1/people", {
    firstName: "Ada",
    lastName: "Lovelace",
    emails: [{ address: personAddress, type: "personal" }],
  })) as { id: string };
  const campaign = (await call(key, "POST", "/api/v1/campaigns", {
    name: "Senior engineers",
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: mailbox.id,
        subject: "A role for {{firstName}}",
        body: "Hi {{firstName}},\n\nWe are hiring a senior engineer. Interested?\n\nRita",
        emailPriority: "personal_first",
      },
      { type: "call", delayMinutes: 3 * 24 * 60, title: "Intro call" },
    ],
  })) as { id: string };
  await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: [person.id] });
  const [sentId] = await logIdsWithStatus(key, campaign.id, "sent");
  return { key, mailbox, mailboxAddress, person, personAddress, sentId, campaign };
}

for (const viewport of VIEWPORTS) {
  describe(`inbound mail at ${viewport.width}×${viewport.height}`, () => {
    it("simulates a reply, and shows the mail on the profile, the mailbox and the unmatched page", async () => {
      const s = await signedInSession(browser(), viewport, "inbound");
      const { page } = s;
      try {
        const a = await arrange(s);

        await page.goto("/email-log");
        const row = page.locator(`tr[data-message="${a.sentId}"]`);
        await row.getByRole("button", { name: "Reply" }).waitFor();
        await s.shot("email-log-simulate");
        await row.getByRole("button", { name: "Reply" }).click();
        await page
          .getByRole("status")
          .getByText(`Simulated a reply from ${a.personAddress}`)
          .waitFor();
        await row.getByText("Replied").first().waitFor();
        await s.shot("email-log-simulated");

        // The campaign page shows Ada Replied; the new-campaign form offers stop-company.
        await page.goto(`/campaigns/${a.campaign.id}`);
        await page.getByRole("heading", { name: "Senior engineers" }).waitFor();
        await page.getByText("Replied", { exact: false }).first().waitFor();
        await s.shot("campaign-replied");
        await page.goto("/campaigns/new");
        await page.getByText("Tracking and unsubscribe").click();
        await page.getByText("When someone replies, stop everyone at their company").waitFor();
        await s.shot("campaign-new");

        // The recruiter's own mail to Ada, BCC'd to the sync address: logged as sent.
        await deliver(
          a.mailboxAddress,
          a.mailbox.syncAddress,
          {
            From: `Rita Recruiter <${a.mailboxAddress}>`,
            To: `Ada Lovelace <${a.personAddress}>`,
            Subject: "Thursday at 3pm?",
          },
          "Great to hear from you, Ada. Does Thursday at 3pm work for a call?",
        );
        // Gmail's forwarding confirmation, as it arrives when forwarding is set up.
        await deliver(
          "forwarding-noreply@google.com",
          a.mailbox.syncAddress,
          {
            From: "Gmail Team <forwarding-noreply@google.com>",
            Subject: `(#493027118) Gmail Forwarding Confirmation - Receive Mail from ${a.mailboxAddress}`,
          },
          `${a.mailboxAddress} has requested to automatically forward mail to your email address.\r\nConfirmation code: 493027118`,
        );

        await page.goto(`/people/${a.person.id}`);
        const mail = page.getByRole("region", { name: "Mail" });
        await mail.getByText("does Thursday afternoon work", { exact: false }).waitFor();
        await mail.getByText("Thursday at 3pm?").waitFor();
        assert.equal(await mail.locator('[data-direction="in"]').count(), 1);
        assert.equal(await mail.locator('[data-direction="out"]').count(), 1);
        await page.getByRole("region", { name: "Mail" }).scrollIntoViewIfNeeded();
        await s.shot("person-mail");

        await page.goto("/mailboxes");
        const card = page.getByRole("article", { name: a.mailboxAddress });
        await card.getByText("Gmail Forwarding Confirmation", { exact: false }).waitFor();
        assert.equal(await card.locator("li.check.pending").count(), 0);
        await card.locator("li.check", { hasText: "Captures replies" }).waitFor();
        await s.shot("mailboxes-sync-mail");

        await deliver(
          "stranger@nowhere.example",
          a.mailbox.syncAddress,
          { From: "A Stranger <stranger@nowhere.example>", Subject: "Who gave you my address?" },
          "Please take me off your list.",
        );
        await page.goto("/settings");
        await page.getByRole("link", { name: "Unmatched mail" }).click();
        await page.waitForURL("**/settings/unmatched-mail");
        await page.getByText("Who gave you my address?").waitFor();
        await page.getByRole("link", { name: "Download .eml" }).first().waitFor();
        await s.shot("unmatched-mail");
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
