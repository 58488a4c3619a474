/**
 * Shared pieces of the browser tests: Chromium through playwright-core, the two viewports,
 * screenshots, and a page that fails its test on any console error or uncaught exception.
 * Run by scripts/e2e.ts, which starts the server and sets E2E_BASE_URL.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const BASE_URL = process.env.E2E_BASE_URL ?? "http://localhost:8799";
const SCREENSHOTS = "tests/e2e/screenshots";

export const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];

/** One Chromium per test file, closed when the file ends. */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser starts in before()");
    return browser;
  };
}

export type Session = {
  context: BrowserContext;
  page: Page;
  viewport: Viewport;
  /** Console errors and uncaught exceptions seen so far; a test ends by asserting none. */
  problems: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
};

/** A fresh browser context (no cookies) at one viewport, watching for page errors. */
export async function openSession(browser: Browser, viewport: Viewport): Promise<Session> {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.name === "phone",
    hasTouch: viewport.name === "phone",
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    // A failed load is reported below with its URL.
    if (text.startsWith("Failed to load resource")) return;
    // Remix's single fetch logs the browser's abort of a data request a newer navigation
    // or reload superseded (@remix-run/react single-fetch.js, fetchAndDecode's catch), then
    // drops that request as aborted: nothing fails and nothing shows. A request that really
    // fails shows on the page (an error boundary), or in an HTTP status reported below.
    if (text.startsWith("AbortError: BodyStreamBuffer was aborted")) return;
    problems.push(`console.error: ${text}`);
  });
  page.on("response", (res) => {
    // Browsers ask for /favicon.ico whatever the page links; the app has none yet.
    if (res.status() >= 400 && new URL(res.url()).pathname !== "/favicon.ico") {
      problems.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    viewport,
    problems,
    async shot(name) {
      await page.screenshot({
        path: join(SCREENSHOTS, `${name}-${viewport.name}.png`),
        fullPage: true,
      });
    },
    close: () => context.close(),
  };
}

let counter = 0;
/** An address no other test or run uses. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${process.pid}-${counter}@e2e.test`;
}

export const PASSWORD = "correct-horse-battery";

/** Signs a new user and team up through the /signup form; ends on /people. */
export async function signUpThroughForm(
  page: Page,
  user: { name: string; email: string; teamName: string },
): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Team name").fill(user.teamName);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/people");
}

/** A signed-in session for a new user and team, made through the form as a user would. */
export async function signedInSession(
  browser: Browser,
  viewport: Viewport,
  tag: string,
): Promise<Session> {
  const session = await openSession(browser, viewport);
  await signUpThroughForm(session.page, {
    name: `E2E ${tag}`,
    email: uniqueEmail(tag),
    teamName: `E2E ${tag} ${viewport.name}`,
  });
  return session;
}

/** An API key of the signed-in user, made through Settings → API keys as a user would. */
export async function apiKeyOf(page: Page, keyName: string): Promise<string> {
  await page.goto("/settings/api-keys");
  await page.getByLabel("New key's name").fill(keyName);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.locator(".secret-notice code").textContent();
  assert.ok(key?.startsWith("bk_"), `an API key, got ${key}`);
  return key ?? "";
}

/** One JSON API call with a key; fails the test on any status other than 2xx. */
export async function call(
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A JSON API list answer. */
export type Items<T> = { items: T[] };

/**
 * The campaign's Email Log ids with one status, through the JSON API, once at least `count`
 * have it (polled for up to 20 s; fewer then fails the test).
 */
export async function logIdsWithStatus(
  key: string,
  campaignId: string,
  status: string,
  count = 1,
): Promise<string[]> {
  let ids: string[] = [];
  for (let i = 0; i < 80; i++) {
    const log = (await call(key, "GET", `/api/v1/email-log?campaignId=${campaignId}`)) as Items<{
      id: string;
      status: string;
    }>;
    ids = log.items.filter((m) => m.status === status).map((m) => m.id);
    if (ids.length >= count) return ids;
    await sleep(250);
  }
  assert.fail(`${count} ${status} message(s) in the campaign's Email Log, found ${ids.length}`);
}

/** Invites an address through Settings → Members; answers the invitation link's path. */
async function invite(owner: Session, email: string): Promise<string> {
  await owner.page.goto("/settings/members");
  await owner.page.getByLabel("Email").fill(email);
  await owner.page.getByRole("button", { name: "Invite" }).click();
  const link = await owner.page.getByRole("status").locator(".copy-box code").textContent();
  assert.ok(link?.includes("/invite/"), `an invitation link, got ${link}`);
  return new URL(link ?? "").pathname;
}

/** Fails the test when the page is wider than the viewport. */
export async function noSidewaysScroll(page: Page): Promise<void> {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `the page scrolls sideways by ${wide}px`);
}

/**
 * A second member of the owner's team, in a fresh session: signs up with a team of their
 * own, then opens the owner's invitation link and accepts it; ends on /people.
 */
export async function invitedTeammate(
  browser: Browser,
  owner: Session,
  viewport: Viewport,
  user: { name: string; tag: string; teamName: string },
): Promise<Session> {
  const mate = await openSession(browser, viewport);
  const email = uniqueEmail(user.tag);
  const invitePath = await invite(owner, email);
  await signUpThroughForm(mate.page, { name: user.name, email, teamName: user.teamName });
  await mate.page.goto(invitePath);
  await mate.page.getByRole("button", { name: /Accept and join/ }).click();
  await mate.page.waitForURL("**/people");
  return mate;
}
