import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserForFile, signedInSession, VIEWPORTS } from "./harness";

const browser = browserForFile();

for (const viewport of VIEWPORTS) {
  describe(`people at ${viewport.width}×${viewport.height}`, () => {
    it("adds a person, keeping the input when a field is refused, and finds them by search", async () => {
      const s = await signedInSession(browser(), viewport, "people");
      const { page } = s;
      try {
        await page
          .getByRole("link", { name: "Add person" })
          .filter({ visible: true })
          .first()
          .click();
        await page.waitForURL("**/people/new");
        const lastName = `Okonkwo${viewport.name}`;
        const email = `ngozi.${viewport.name}@acme.example`;

        // A bad address is refused with a message naming the field; what was typed stays.
        await page.getByLabel("First name").fill("Ngozi");
        await page.getByLabel("Last name").fill(lastName);
        await page.getByLabel("Email", { exact: true }).fill("ngozi-at-acme");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByText("Invalid email address").waitFor();
        assert.equal(await page.getByLabel("First name").inputValue(), "Ngozi");
        assert.equal(await page.getByLabel("Last name").inputValue(), lastName);
        await s.shot("person-new-refused");

        await page.getByLabel("Email", { exact: true }).fill(email);
        await page.getByRole("button", { name: "Save" }).click();
        await page.waitForURL(/\/people\/[^/]+\?created=1$/);
        await page.getByRole("heading", { name: `Ngozi ${lastName}`, level: 1 }).waitFor();
        await page.getByText(email).first().waitFor();
        await s.shot("person-profile");

        await page
          .getByRole("link", { name: "People", exact: true })
          .filter({ visible: true })
          .click();
        await page.waitForURL(/\/people$/);
        await page.getByLabel("Search people").fill(lastName.toLowerCase());
        await page.getByLabel("Search people").press("Enter");
        await page.waitForURL(/\/people\?q=/);
        const found = page.getByRole("link", { name: `Ngozi ${lastName}` });
        await found.waitFor();
        assert.equal(await found.count(), 1);
        await s.shot("people-search");

        await page.getByLabel("Search people").fill("nobody-has-this-name");
        await page.getByLabel("Search people").press("Enter");
        await page.waitForURL(/q=nobody-has-this-name/);
        // The URL changes when the navigation commits; the list renders right after.
        await page.getByRole("link", { name: `Ngozi ${lastName}` }).waitFor({ state: "detached" });
        assert.equal(await page.getByRole("link", { name: `Ngozi ${lastName}` }).count(), 0);
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
