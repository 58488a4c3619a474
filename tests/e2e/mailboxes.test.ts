import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserForFile, signedInSession, VIEWPORTS } from "./harness";

const browser = browserForFile();

for (const viewport of VIEWPORTS) {
  describe(`mailboxes at ${viewport.width}×${viewport.height}`, () => {
    it("adds a mailbox that can send and shows its sync address", async () => {
      const s = await signedInSession(browser(), viewport, "mailbox");
      try {
        await s.page
          .getByRole("link", { name: "Mailboxes", exact: true })
          .filter({ visible: true })
          .click();
        await s.page.waitForURL("**/mailboxes");
        await s.page.getByRole("heading", { name: "Mailboxes", level: 1 }).waitFor();
        await s.page.getByText("No mailboxes yet.").waitFor();
        await s.shot("mailboxes-empty");

        const address = `jane.${viewport.name}@acme.example`;
        await s.page.getByLabel("Email address").fill(address);
        await s.page.getByLabel("Sender name").fill("Jane Doe");
        await s.page.getByRole("button", { name: "Add mailbox" }).click();
        await s.page.getByRole("status").getByText(`Added ${address}.`).waitFor();

        const card = s.page.getByRole("article", { name: address });
        // The e2e server sends through the sink and has an inbound domain: both checks pass.
        await card.getByText("Can send").waitFor();
        await card.getByText("Captures replies").waitFor();
        const sync = await card.locator("code").textContent();
        assert.match(sync ?? "", /^sync\+[a-z2-7]+@inbound\.e2e\.test$/);
        await s.shot("mailboxes-added");
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
