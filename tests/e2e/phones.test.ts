/**
 * Every page on a phone (issue #9): at 390×844 no page scrolls sideways and every visible
 * control has a tap target at least 44 px high; at 1280×800 and 390×844 each page is
 * screenshotted (tests/e2e/screenshots/phones-*). Data is made as a user would: a key from
 * the API keys page, then the JSON API.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  BASE_URL,
  browserForFile,
  openSession,
  type Session,
  signedInSession,
  VIEWPORTS,
} from "./harness";

const browser = browserForFile();

/** The smallest tap target (WCAG 2.5.5, Apple's and Google's guidelines). */
const MIN_TAP_PX = 44;

type Seeded = {
  campaignId: string;
  emailCampaignId: string;
  personId: string;
};

async function apiCall(key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** An API key made on the API keys page, as a user copies it. */
async function keyFromPage(page: Page): Promise<string> {
  await page.goto("/settings/api-keys");
  await page.getByLabel("New key's name").fill("Phones test");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.locator(".copy-box code").textContent();
  if (!key?.startsWith("bk_")) throw new Error(`no key shown: ${key}`);
  return key;
}

/** A mailbox, a job, people (long names and addresses too), a call campaign and an email one. */
async function seed(key: string, tag: string): Promise<Seeded> {
  const box = await apiCall(key, "POST", "/api/v1/mailboxes", {
    address: `recruiting.${tag}@acme.example`,
    name: "Recruiting Team",
    dailyCap: 400,
  });
  await apiCall(key, "POST", "/api/v1/jobs", {
    title: "Senior Backend Engineer (Payments Platform)",
    stages: ["Sourced", "Screen", "Onsite"],
  });
  const people: string[] = [];
  for (const [first, last, email, phone] of [
    [
      "Ngozi",
      "Okonkwo-Abernathy",
      "ngozi.okonkwo-abernathy.longaddress@international-example.com",
      "+44 20 7946 0958",
    ],
    ["Bo", "Li", "bo@acme.example", "+1 555 010 2030"],
    ["Carmen", "Delgado", "carmen.delgado@acme.example", null],
  ] as const) {
    const p = await apiCall(key, "POST", "/api/v1/people", {
      firstName: first,
      lastName: last,
      emails: [{ address: email, type: "work" }],
      ...(phone ? { phones: [{ number: phone, type: "mobile" }] } : {}),
    });
    people.push(String(p.id));
  }
  const calls = await apiCall(key, "POST", "/api/v1/campaigns", {
    name: "Phone screens for the payments platform team, autumn",
    stages: [
      { type: "call", delayMinutes: 0, title: "Intro call about the payments role" },
      {
        type: "email",
        delayMinutes: 2880,
        mailboxId: box.id,
        subject: "Following up, {{firstName}}",
        body: "Hi {{firstName}}, thanks for the call.",
        emailPriority: "work_first",
      },
      { type: "task", delayMinutes: 1440, title: "Send the take-home brief" },
    ],
  });
  await apiCall(key, "POST", `/api/v1/campaigns/${calls.id}/prospects`, {
    personIds: people.slice(0, 2),
    force: true,
  });
  const emails = await apiCall(key, "POST", "/api/v1/campaigns", {
    name: "Outreach",
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: box.id,
        subject: "A role you might like, {{firstName}}",
        body: "Hi {{firstName}}",
        emailPriority: "work_first",
      },
    ],
  });
  await apiCall(key, "POST", `/api/v1/campaigns/${emails.id}/prospects`, {
    personIds: [people[2]],
    force: true,
  });
  return { campaignId: String(calls.id), emailCampaignId: String(emails.id), personId: people[0] };
}

const APP_PAGES: { name: string; path: (d: Seeded) => string; heading?: RegExp }[] = [
  { name: "campaigns", path: () => "/campaigns" },
  { name: "campaign-new", path: () => "/campaigns/new" },
  { name: "campaign", path: (d) => `/campaigns/${d.campaignId}` },
  { name: "campaign-edit", path: (d) => `/campaigns/${d.campaignId}/edit` },
  { name: "dashboard", path: () => "/dashboard" },
  { name: "email-log", path: () => "/email-log" },
  { name: "people", path: () => "/people" },
  { name: "person-new", path: () => "/people/new" },
  { name: "person", path: (d) => `/people/${d.personId}` },
  { name: "people-import", path: () => "/people/import" },
  { name: "jobs", path: () => "/jobs" },
  { name: "mailboxes", path: () => "/mailboxes" },
  { name: "settings", path: () => "/settings" },
  { name: "settings-members", path: () => "/settings/members" },
  { name: "settings-api-keys", path: () => "/settings/api-keys" },
  { name: "settings-domains", path: () => "/settings/domains" },
  { name: "settings-unmatched-mail", path: () => "/settings/unmatched-mail" },
  { name: "teams-new", path: () => "/teams/new" },
  { name: "tasks", path: () => "/tasks?assignee=all" },
];

/**
 * What on the page breaks the phone rules, in words (empty when none):
 * - the page is wider than the screen (it would scroll sideways);
 * - a visible link, button, input, select, textarea or summary is under 44 px high.
 * Named exceptions: a link inside running text (a paragraph, or a line of small print
 * with other words) is read, not aimed at; a checkbox or radio counts by its label;
 * controls inside a box that scrolls sideways by itself are measured all the same.
 */
async function phoneProblems(page: Page, scope: string, width: number): Promise<string[]> {
  // Plain JavaScript run in the page (kept as text so no build helper leaks into it).
  const found = await page.evaluate(`(() => {
    const scope = ${JSON.stringify(scope)};
    const min = ${MIN_TAP_PX};
    // A phone browser widens its layout viewport to fit a page that overflows (innerWidth
    // grows with it), so the page is measured against the screen's width instead.
    const vw = ${width};
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > vw || window.innerWidth > vw) {
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > vw + 1)
        .filter((e) => {
          // Inside a box that scrolls or clips by itself, it widens nothing.
          for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== "visible") return false;
          }
          return true;
        })
        .slice(0, 6)
        .map((e) => e.tagName.toLowerCase() + "." + String(e.className));
      out.push("page scrolls sideways: " + doc.scrollWidth + " > " + vw + " (" + wide.join(", ") + ")");
    }
    function visible(e) {
      const r = e.getBoundingClientRect();
      const s = getComputedStyle(e);
      return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.display !== "none";
    }
    function inRunningText(e) {
      if (e.tagName !== "A") return false;
      const block = e.closest("p, li, dd, td, span.small, div.small, small");
      if (!block) return false;
      const own = (e.textContent || "").trim();
      return (block.textContent || "").trim().length > own.length;
    }
    for (const root of document.querySelectorAll(scope)) {
      const controls = root.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary",
      );
      for (const e of controls) {
        if (!visible(e) || inRunningText(e)) continue;
        let target = e;
        if (e.tagName === "INPUT" && (e.type === "checkbox" || e.type === "radio")) {
          target = e.closest("label") || (e.id ? document.querySelector('label[for="' + e.id + '"]') : null) || e;
        }
        const h = target.getBoundingClientRect().height;
        if (h < min - 0.5) {
          const text = (e.textContent || e.getAttribute("aria-label") || e.getAttribute("name") || "")
            .trim()
            .slice(0, 40);
          const where = (e.parentElement ? e.parentElement.className : "") || "";
          out.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " “" + text + "” is " + Math.round(h) + " px high (in ." + where + ")");
        }
      }
    }
    return out;
  })()`);
  return found as string[];
}

async function visit(s: Session, path: string, name: string, problems: Map<string, string[]>) {
  const before = s.problems.length;
  const res = await s.page.goto(path, { waitUntil: "load" });
  assert.ok(res && res.status() < 400, `${path} answered ${res?.status()}`);
  await s.page.locator("h1").first().waitFor();
  if (s.viewport.name === "phone") {
    const found = await phoneProblems(s.page, "main, header.topbar", s.viewport.width);
    if (found.length > 0) problems.set(path, found);
  }
  await s.shot(`phones-${name}`);
  // Name the page a console error or uncaught exception came from.
  for (let i = before; i < s.problems.length; i++) s.problems[i] = `${path}: ${s.problems[i]}`;
}

function report(problems: Map<string, string[]>): string {
  return [...problems].map(([p, list]) => `${p}:\n  ${list.join("\n  ")}`).join("\n");
}

describe("every page at phone and desktop size", () => {
  for (const viewport of VIEWPORTS) {
    it(`signed-in pages at ${viewport.width}×${viewport.height}`, async () => {
      const s = await signedInSession(browser(), viewport, `phones-${viewport.name}`);
      try {
        const key = await keyFromPage(s.page);
        const data = await seed(key, viewport.name);
        const problems = new Map<string, string[]>();
        for (const p of APP_PAGES) await visit(s, p.path(data), p.name, problems);
        assert.equal(report(problems), "");

        // The Tasks page (last visited): one tap on Complete takes the row off.
        const card = s.page.locator(`[data-task^="${data.campaignId}:"]`).first();
        const taskId = await card.getAttribute("data-task");
        await card.getByRole("button", { name: "Complete" }).click();
        await s.page.locator(`[data-task="${taskId}"]`).waitFor({ state: "detached" });
        assert.equal(await s.page.locator(`[data-task^="${data.campaignId}:"]`).count(), 1);
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });

    it(`sign-in pages at ${viewport.width}×${viewport.height}`, async () => {
      const s = await openSession(browser(), viewport);
      try {
        const problems = new Map<string, string[]>();
        await visit(s, "/login", "login", problems);
        await visit(s, "/signup", "signup", problems);
        assert.equal(report(problems), "");
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  }

  it("the usage meter over the Campaigns list follows the team feed, without a reload", async () => {
    const s = await signedInSession(browser(), VIEWPORTS[0], "usage-live");
    try {
      const key = await keyFromPage(s.page);
      const box = await apiCall(key, "POST", "/api/v1/mailboxes", {
        address: "live.usage@acme.example",
        name: "Live Usage",
      });
      const person = await apiCall(key, "POST", "/api/v1/people", {
        firstName: "Lia",
        emails: [{ address: "lia@acme.example", type: "work" }],
      });
      const campaign = await apiCall(key, "POST", "/api/v1/campaigns", {
        name: "Live usage",
        stages: [
          {
            type: "email",
            delayMinutes: 0,
            mailboxId: box.id,
            subject: "Hi",
            body: "Hello {{firstName}}",
            emailPriority: "work_first",
          },
        ],
      });
      await s.page.goto("/campaigns");
      await s.page.locator('[data-usage="0/0/5000/5000"]').waitFor();
      await s.page.evaluate("window.__sameDocument = true");
      await apiCall(key, "POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
        personIds: [person.id],
      });
      await s.page.locator('[data-usage="1/0/4999/5000"]').waitFor();
      assert.equal(await s.page.evaluate("window.__sameDocument === true"), true);
      await s.shot("phones-usage-live");
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });

  it("no action appears only on hover (no :hover rule shows or reveals anything)", () => {
    const files = [
      "app/styles.css",
      ...readdirSync("app/styles").map((f) => join("app/styles", f)),
    ];
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.endsWith(".css"))) {
      const css = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      for (const rule of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
        const [, selector, body] = rule;
        if (!selector.includes(":hover")) continue;
        if (/\b(display|visibility|opacity)\s*:/.test(body)) {
          offenders.push(`${file}: ${selector.trim()}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
