/**
 * Metrics in the browser (issue #10 parts 5 and 7): a campaign whose emails the sink sent
 * and one of which got a (simulated) reply; its Metrics section and the team dashboard
 * draw their charts as <svg> with the numbers; nothing scrolls sideways at 390 px; the
 * stage editor's deliverability findings follow typing; Activate shows findings first.
 * Screenshots: tests/e2e/screenshots/metrics-*.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Page } from "playwright-core";
import {
  apiKeyOf,
  browserForFile,
  call,
  type Items,
  logIdsWithStatus,
  type Session,
  signedInSession,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();

/** A mailbox, three people and a campaign whose first email the sink sent to all three. */
async function arrange(s: Session) {
  const key = await apiKeyOf(s.page, "e2e metrics");
  const tag = `${s.viewport.name}${Date.now().toString(36)}`;
  const mailbox = (await call(key, "POST", "/api/v1/mailboxes", {
    address: `mira.${tag}@acme.example`,
    name: "Mira Metrics",
  })) as { id: string };
  const people: string[] = [];
  for (const name of ["Ada", "Grace", "Katherine"]) {
    const p = (await call(key, "POST", "/api/v1/people", {
      firstName: name,
      lastName: "Tester",
      emails: [{ address: `${name.toLowerCase()}.${tag}@mail.example`, type: "personal" }],
    })) as { id: string };
    people.push(p.id);
  }
  const campaign = (await call(key, "POST", "/api/v1/campaigns", {
    name: "Metrics in the browser",
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: mailbox.id,
        subject: "A role for {{firstName}}",
        body: "Hi {{firstName}},\n\nWe are hiring. Interested?\n\nMira",
        emailPriority: "personal_first",
      },
      {
        type: "email",
        delayMinutes: 3 * 24 * 60,
        mailboxId: mailbox.id,
        subject: "Following up, {{firstName}}",
        body: "Hi {{firstName}}, just checking in.",
        emailPriority: "personal_first",
      },
    ],
  })) as { id: string };
  await call(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: people });
  // The sink sent the first email to all three.
  await logIdsWithStatus(key, campaign.id, "sent", 3);
  return { key, mailbox, campaign };
}

/** The page is no wider than the window (no sideways scroll); names what sticks out. */
async function assertNoSidewaysScroll(page: Page) {
  const { scroll, inner, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 4)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.className)}`),
  }));
  assert.ok(
    scroll <= inner,
    `the page scrolls sideways: ${scroll} > ${inner} (${wide.join(", ")})`,
  );
}

/** Every chart in `scope` is an accessible svg with a title and something drawn. */
async function chartsIn(page: Page, scope: string) {
  return page.locator(`${scope} figure.chart svg[role="img"]`).evaluateAll((svgs) =>
    svgs.map((svg) => ({
      title: svg.querySelector("title")?.textContent ?? "",
      desc: svg.querySelector("desc")?.textContent ?? "",
      width: svg.getBoundingClientRect().width,
      bars: [...svg.querySelectorAll("rect.bar, .bars rect")].filter(
        (r) => Number(r.getAttribute("width")) > 0 && Number(r.getAttribute("height")) > 0,
      ).length,
      lines: [...svg.querySelectorAll(".series path")].filter((p) =>
        (p.getAttribute("d") ?? "").includes("L"),
      ).length,
    })),
  );
}

for (const viewport of VIEWPORTS) {
  describe(`metrics at ${viewport.width}×${viewport.height}`, () => {
    it("draws the campaign's and the team's metrics as charts with the numbers", async () => {
      const s = await signedInSession(browser(), viewport, "metrics");
      const { page } = s;
      try {
        const a = await arrange(s);

        // One reply, through the Email Log's simulate action as a user would try it.
        await page.goto("/email-log");
        const row = page
          .locator("tr[data-message]", { has: page.getByRole("button", { name: "Reply" }) })
          .first();
        await page.waitForLoadState("networkidle");
        await row.getByRole("button", { name: "Reply" }).click();
        let replied = 0;
        for (let i = 0; i < 60 && replied === 0; i++) {
          const list = (await call(
            a.key,
            "GET",
            `/api/v1/campaigns/${a.campaign.id}/prospects?status=replied`,
          )) as Items<{ personId: string }>;
          replied = list.items.length;
          if (replied === 0) await sleep(250);
        }
        assert.equal(replied, 1, "the simulated reply made one prospect Replied");

        await page.goto(`/campaigns/${a.campaign.id}`);
        const section = page.locator("section#metrics");
        await section.getByRole("heading", { name: "Metrics" }).waitFor();
        const charts = await chartsIn(page, "section#metrics");
        assert.equal(charts.length, 2, "a funnel and a time series");
        assert.match(
          charts[0].desc,
          /^Reached 3, Opened 0 \(0% of reached\), Clicked 0 \(0% of reached\), Replied 1 \(33% of reached\)/,
        );
        assert.equal(charts[0].bars, 2, "bars for Reached and Replied");
        assert.equal(charts[1].lines, 3, "lines for sent, opened and replied");
        assert.match(charts[1].desc, /: 3 sent, 0 opened, 1 replied\.$/);
        for (const c of charts) assert.ok(c.width > 250, `chart drawn ${c.width}px wide`);
        await section
          .locator('td[data-label="Replied"]')
          .first()
          .getByText("33% of all · 33% of reached")
          .waitFor();
        await assertNoSidewaysScroll(page);
        await section.scrollIntoViewIfNeeded();
        await s.shot("metrics-campaign");

        await section.getByRole("link", { name: "All", exact: true }).click();
        await page.waitForURL(/include=all/);
        await page.locator('section#metrics a[aria-current="true"]', { hasText: "All" }).waitFor();

        await page.goto("/dashboard");
        await page.getByRole("heading", { name: "Dashboard" }).waitFor();
        const board = await chartsIn(page, ".dashboard");
        assert.equal(board.length, 3, "funnel, per day, and sends against the limit");
        assert.match(board[0].desc, /^Reached 3, /);
        assert.ok(board[2].bars >= 1, "today's sends drawn as a bar");
        assert.match(
          board[2].desc,
          /busiest day .* with 3 sent; the account's daily limit 5,000 a day/,
        );
        const ranking = page.locator("table.ranking");
        await ranking.getByRole("link", { name: "Metrics in the browser" }).waitFor();
        await page.locator('li[data-metric="bounce"][data-level="ok"]').waitFor();
        await assertNoSidewaysScroll(page);
        await s.shot("metrics-dashboard");

        // A range that ends before it starts is named beside the field, before any request.
        const today = new Date().toISOString().slice(0, 10);
        const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
        await page.getByLabel("From", { exact: true }).fill(today);
        await page.getByLabel("To", { exact: true }).fill(yesterday);
        await page.getByRole("button", { name: "Apply" }).click();
        await page.getByText("The end date is before the start date").waitFor();
        await assertNoSidewaysScroll(page);

        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });

    it("shows deliverability findings as the user types, and before activating", async () => {
      const s = await signedInSession(browser(), viewport, "deliver");
      const { page } = s;
      try {
        const key = await apiKeyOf(page, "e2e metrics");
        const box = (await call(key, "POST", "/api/v1/mailboxes", {
          address: `loud.${viewport.name}${Date.now().toString(36)}@acme.example`,
          name: "Lou Loud",
        })) as { id: string };

        await page.goto("/campaigns/new");
        // Typing before the page's scripts have run is lost to hydration on a loaded machine.
        await page.waitForLoadState("networkidle");
        const subject = page.getByLabel("Subject").first();
        await subject.fill("Hi {{firstName}}");
        await subject.pressSequentially(" FREE MONEY!!!");
        const findings = page.locator(".deliverability").first();
        await findings.getByText("repeated punctuation (“!!!”)", { exact: false }).waitFor();
        await findings.getByText("“free money”", { exact: false }).waitFor();
        await findings.scrollIntoViewIfNeeded();
        await assertNoSidewaysScroll(page);
        await s.shot("metrics-findings-editor");
        // Fixing the subject clears the findings.
        await subject.fill("Hi {{firstName}}, a role you might like");
        await findings.waitFor({ state: "detached" });

        const draft = (await call(key, "POST", "/api/v1/campaigns", {
          name: "Loud draft",
          status: "draft",
          stages: [
            {
              type: "email",
              delayMinutes: 1440,
              mailboxId: box.id,
              subject: "URGENT: AMAZING JOB!!!",
              body: "Act now, this is guaranteed.",
            },
          ],
        })) as { id: string };
        await page.goto(`/campaigns/${draft.id}`);
        await page.getByText("Activate…").click();
        const panel = page.locator(".activate-panel");
        await panel.getByText("Before you activate:").waitFor();
        await panel.getByText("The subject is mostly capital letters", { exact: false }).waitFor();
        await assertNoSidewaysScroll(page);
        await s.shot("metrics-activate-confirm");
        await panel.getByRole("button", { name: "Activate anyway" }).click();
        await page.getByRole("status").getByText("Activated", { exact: false }).waitFor();

        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
