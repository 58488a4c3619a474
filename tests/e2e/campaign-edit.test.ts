/**
 * Editing a campaign together (issue #9 parts 2 and 3): two users of one team open the
 * edit page; one saves a stage subject, the other's stale save is refused with what
 * changed, and "Apply mine on top" keeps both. The enroll dialog holds back someone still
 * going in another campaign and enrolls them on "Enroll anyway". The edit page at desktop
 * and phone size: tests/e2e/screenshots/campaign-edit-*.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiKeyOf,
  browserForFile,
  call,
  invitedTeammate,
  noSidewaysScroll,
  openSession,
  PASSWORD,
  signUpThroughForm,
  uniqueEmail,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();
const [desktop, phone] = VIEWPORTS;

type Campaign = { id: string; version: number; stages: { id: string; subject?: string }[] };

async function arrange(key: string) {
  const tag = Date.now().toString(36);
  const mailbox = (await call(key, "POST", "/api/v1/mailboxes", {
    address: `eddie.${tag}@acme.example`,
    name: "Eddie Editor",
  })) as { id: string };
  const ada = (await call(key, "POST", "/api/v1/people", {
    firstName: "Ada",
    lastName: "Busy",
    emails: [{ address: `ada.${tag}@mail.example`, type: "personal" }],
  })) as { id: string };
  const email = (subject: string, delayMinutes: number) => ({
    type: "email",
    delayMinutes,
    mailboxId: mailbox.id,
    subject,
    body: "Hi {{firstName}},\n\nA role for you.\n\nEddie",
  });
  const elsewhere = (await call(key, "POST", "/api/v1/campaigns", {
    name: "Elsewhere",
    stages: [email("Already talking", 1440)],
  })) as Campaign;
  await call(key, "POST", `/api/v1/campaigns/${elsewhere.id}/prospects`, { personIds: [ada.id] });
  const together = (await call(key, "POST", "/api/v1/campaigns", {
    name: "Edit together",
    stages: [
      email("First hello", 1440),
      email("Second note", 3 * 1440),
      { type: "call", delayMinutes: 2 * 1440, title: "Intro call" },
    ],
  })) as Campaign;
  return { ada: ada.id, elsewhere, together };
}

describe("editing a campaign together", () => {
  it("refuses a stale save with what changed, applies mine on top, and guards enrollment", async () => {
    const owner = await openSession(browser(), desktop);
    const ownerEmail = uniqueEmail("edit-owner");
    await signUpThroughForm(owner.page, {
      name: "Olive Owner",
      email: ownerEmail,
      teamName: "E2E editing",
    });
    const key = await apiKeyOf(owner.page, "e2e edit");
    const { ada, together } = await arrange(key);

    const mate = await invitedTeammate(browser(), owner, desktop, {
      name: "Milo Mate",
      tag: "edit-mate",
      teamName: "Milo's own",
    });

    try {
      // Both open the edit page: the owner from the campaign page's Edit link.
      await owner.page.goto(`/campaigns/${together.id}`);
      await owner.page.getByRole("link", { name: "Edit", exact: true }).click();
      await owner.page.waitForURL(`**/campaigns/${together.id}/edit`);
      await mate.page.goto(`/campaigns/${together.id}/edit`);

      // The teammate saves stage 2's subject first.
      await mate.page.locator('input[name="stages[1].subject"]').fill("Second note, from Milo");
      await mate.page.getByRole("button", { name: "Save changes" }).click();
      await mate.page.waitForURL(`**/campaigns/${together.id}?edited=1`);
      await mate.page.getByText("Changes saved.").waitFor();

      // The owner's form is now stale: the save is refused and what changed is shown.
      await owner.page.locator('input[name="stages[0].subject"]').fill("First hello, from Olive");
      await owner.page.getByRole("button", { name: "Save changes" }).click();
      const stale = owner.page.locator(".stale-view");
      await stale.getByText("Someone saved this campaign while you were editing").waitFor();
      const shown = (await stale.textContent()) ?? "";
      assert.match(shown, /Subject of stage 2/);
      assert.match(shown, /Second note, from Milo/);
      assert.equal(
        await owner.page.locator('input[name="stages[0].subject"]').inputValue(),
        "First hello, from Olive",
        "nothing typed is lost",
      );
      await owner.shot("campaign-edit-stale");
      await owner.page.getByRole("button", { name: "Apply mine on top" }).click();
      await owner.page.waitForURL(`**/campaigns/${together.id}?edited=1`);
      // The URL changes before React renders the new page: wait for the page itself, or the
      // check below may look at the edit page and then click the campaign page's summary shut.
      await owner.page.getByText("Changes saved.").waitFor();
      const after = (await call(key, "GET", `/api/v1/campaigns/${together.id}`)) as Campaign;
      assert.deepEqual(
        after.stages.map((s) => s.subject),
        ["First hello, from Olive", "Second note, from Milo", undefined],
      );

      // Enrolling someone still going elsewhere asks first, then enrolls on request.
      const pasted = owner.page.getByLabel("Or paste person ids");
      // The dialog starts open on a campaign nobody is in yet.
      const enrollBox = owner.page.locator("details.enroll");
      if (!(await enrollBox.evaluate((d) => (d as HTMLDetailsElement).open))) {
        await enrollBox.locator("summary").click();
      }
      await pasted.fill(ada);
      await owner.page.getByRole("button", { name: "Enroll", exact: true }).click();
      const held = owner.page.locator(".enroll-conflicts");
      await held.getByText("Not enrolled yet: 1 person is busy elsewhere").waitFor();
      assert.match((await held.textContent()) ?? "", /Ada Busy is still going in Elsewhere/);
      assert.equal(await held.getByRole("link", { name: "Elsewhere" }).count(), 1);
      await owner.shot("campaign-edit-enroll-conflict");
      await held.getByRole("button", { name: "Enroll anyway (1)" }).click();
      await owner.page.getByText(/Enrolled 1 person\. 1 enrolled despite/).waitFor();

      assert.deepEqual(owner.problems, []);
      assert.deepEqual(mate.problems, []);
    } finally {
      await mate.close();
    }

    // The edit page at both sizes: no sideways scroll; on the phone, buttons big enough to tap.
    for (const viewport of [desktop, phone]) {
      const s = viewport === desktop ? owner : await openSession(browser(), viewport);
      try {
        if (s !== owner) {
          await s.page.goto("/login");
          await s.page.getByLabel("Email").fill(ownerEmail);
          await s.page.getByLabel("Password").fill(PASSWORD);
          await s.page.getByRole("button", { name: /Sign in|Log in/ }).click();
          await s.page.waitForURL((url) => !url.pathname.startsWith("/login"));
        }
        await s.page.goto(`/campaigns/${together.id}/edit`);
        await s.page.getByRole("heading", { name: "Edit campaign" }).waitFor();
        await noSidewaysScroll(s.page);
        await s.shot("campaign-edit");
        const small = await s.page.evaluate(() =>
          [...document.querySelectorAll(".campaign-edit button, .campaign-edit a.button")]
            .map((b) => ({ text: b.textContent, r: b.getBoundingClientRect() }))
            .filter(({ r }) => r.width > 0 && r.height < 44)
            .map(({ text, r }) => `${text} (${Math.round(r.height)} px)`),
        );
        // Tap targets: 44 px on a touch screen (a mouse gets the denser desktop buttons).
        if (viewport === phone) assert.deepEqual(small, [], "every button is 44 px tall");
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    }
  });
});
