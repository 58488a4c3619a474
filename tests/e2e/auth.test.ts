import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  browserForFile,
  openSession,
  PASSWORD,
  signUpThroughForm,
  uniqueEmail,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();

for (const viewport of VIEWPORTS) {
  describe(`sign-in at ${viewport.width}×${viewport.height}`, () => {
    it("signs up a user and team, signs out, and signs back in", async () => {
      const s = await openSession(browser(), viewport);
      try {
        const email = uniqueEmail("auth");
        await s.page.goto("/signup");
        await s.shot("signup");
        await signUpThroughForm(s.page, {
          name: "Robin Recruiter",
          email,
          teamName: `Auth Team ${viewport.name}`,
        });
        await s.page.getByRole("heading", { name: "People", level: 1 }).waitFor();
        await s.shot("people-after-signup");

        // The shell has a sign-out button in the phone top bar and another in the sidebar;
        // only the one for this viewport is visible.
        await s.page.getByRole("button", { name: "Sign out" }).filter({ visible: true }).click();
        await s.page.waitForURL("**/login");
        await s.page.goto("/people");
        await s.page.waitForURL(/\/login\?redirectTo=%2Fpeople$/);

        await s.page.getByLabel("Email").fill(email);
        await s.page.getByLabel("Password").fill("not-the-password");
        await s.page.getByRole("button", { name: "Sign in" }).click();
        await s.page.getByText("Wrong email or password.").waitFor();
        await s.shot("login-wrong-password");

        await s.page.getByLabel("Password").fill(PASSWORD);
        await s.page.getByRole("button", { name: "Sign in" }).click();
        await s.page.waitForURL("**/people");
        await s.page.getByRole("heading", { name: "People", level: 1 }).waitFor();
        assert.match(await s.page.content(), /Robin Recruiter/);
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
