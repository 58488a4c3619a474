import { env, exports } from "cloudflare:workers";
import { verifyApiKey } from "@workers/auth/api-keys";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { db } from "@workers/db/client";
import { takeApiRequest } from "@workers/limiter-client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { api, html, makeTeam, signUpUser, type TestUser } from "./helpers/teams";

/*
 * Issue #11 items 1 and 7 through the real entry points: the /login and /signup forms as
 * a browser posts them (from our own origin, from one client address), and the JSON API.
 * The exact token arithmetic is unit-tested in workers/core/rate-limit.test.ts.
 */

const MINUTE = 60_000;
const PASSWORD = "password123"; // signUpUser's

afterEach(() => resetClockForTest());

/** A form POST to a page as a browser on our origin sends it, from `address` if given. */
function post(path: string, form: Record<string, string>, address?: string): Promise<Response> {
  const headers: Record<string, string> = {
    Origin: "http://localhost",
    // Remix compares Origin with Host, which a browser always sends.
    Host: "localhost",
    "Content-Type": "application/x-www-form-urlencoded",
  };
  if (address) headers["CF-Connecting-IP"] = address;
  return exports.default.fetch(`http://localhost${path}`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

const signIn = (email: string, password: string, address?: string) =>
  post("/login", { email, password, redirectTo: "" }, address);

function retryAfter(res: Response): number {
  return Number(res.headers.get("Retry-After"));
}

describe("sign-in attempts (10 failures in 15 minutes per account and client address)", () => {
  let user: { email: string };

  beforeAll(async () => {
    user = await signUpUser("guessed");
  });

  it("40 wrong passwords in a row: limited after 10, with 429, Retry-After and when to try again", async () => {
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 40; i++) {
      last = await signIn(user.email, `wrong-${i}`);
      statuses.push(last.status);
      if (i < 39) await last.body?.cancel();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    if (!last) throw new Error("no response");
    expect(retryAfter(last)).toBeGreaterThan(0);
    expect(retryAfter(last)).toBeLessThanOrEqual(900);
    const body = await html(last);
    expect(body).toContain("Too many failed sign-ins for this email");
    expect(body).toMatch(/Try again in \d+ minutes?\./);
    // The typed email stays in the form; the password does not.
    expect(body).toContain(`value="${user.email}"`);
    expect(body).not.toContain("wrong-39");
  });

  it("while limited, even the right password is refused (a guess cannot be confirmed)", async () => {
    const res = await signIn(user.email, PASSWORD);
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBeGreaterThan(0);
  });

  it("another client address is not limited", async () => {
    const res = await signIn(user.email, PASSWORD, "203.0.113.7");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/people");
  });

  it("another account from the same address is not limited", async () => {
    const other = await signUpUser("unguessed");
    const res = await signIn(other.email, PASSWORD);
    expect(res.status).toBe(302);
  });

  it("after the window the right password works", async () => {
    setClockForTest(clock.now() + 15 * MINUTE + 1000);
    const res = await signIn(user.email, PASSWORD);
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie().length).toBeGreaterThan(0);
  });

  it("Retry-After never exceeds 15 minutes and counts down with the clock", async () => {
    const target = await signUpUser("countdown");
    const address = "198.51.100.40";
    const start = clock.now();
    setClockForTest(start);
    for (let i = 0; i < 10; i++) {
      const res = await signIn(target.email, "nope-nope", address);
      expect(res.status).toBe(200);
    }
    const first = await signIn(target.email, "nope-nope", address);
    expect(first.status).toBe(429);
    expect(retryAfter(first)).toBeLessThanOrEqual(900);
    setClockForTest(start + 10 * MINUTE);
    const later = await signIn(target.email, "nope-nope", address);
    expect(later.status).toBe(429);
    expect(retryAfter(later)).toBeLessThanOrEqual(5 * 60 + 1);
    expect(await html(later)).toMatch(/Try again in [56] minutes\./);
  });

  it("only failures count: a successful sign-in takes its attempt back", async () => {
    const target = await signUpUser("forgetful");
    const address = "198.51.100.41";
    for (let i = 0; i < 9; i++) {
      expect((await signIn(target.email, "not-it-1", address)).status).toBe(200);
    }
    expect((await signIn(target.email, PASSWORD, address)).status).toBe(302);
    // The tenth failure is still allowed; the eleventh attempt is not.
    expect((await signIn(target.email, "not-it-2", address)).status).toBe(200);
    expect((await signIn(target.email, "not-it-3", address)).status).toBe(429);
  });

  it("the email's case does not make a fresh count", async () => {
    const target = await signUpUser("shouty");
    const address = "198.51.100.42";
    for (let i = 0; i < 10; i++) {
      const email = i % 2 ? target.email.toUpperCase() : target.email;
      expect((await signIn(email, "not-it", address)).status).toBe(200);
    }
    expect((await signIn(target.email.toUpperCase(), "not-it", address)).status).toBe(429);
  });
});

describe("sign-up attempts (20 in 15 minutes per client address)", () => {
  it("limits the 21st attempt from one address with 429, Retry-After and the typed email kept", async () => {
    const taken = await signUpUser("taken");
    const address = "198.51.100.60";
    const attempt = (email: string) =>
      post(
        "/signup",
        { name: "Sam Spam", email, password: "long-enough-pw", teamName: "Spam team" },
        address,
      );
    // Attempts count whether or not they create an account: repeat a taken email.
    for (let i = 0; i < 20; i++) {
      const res = await attempt(taken.email);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    const fresh = `late-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const limited = await attempt(fresh);
    expect(limited.status).toBe(429);
    expect(retryAfter(limited)).toBeGreaterThan(0);
    expect(retryAfter(limited)).toBeLessThanOrEqual(900);
    const body = await html(limited);
    expect(body).toContain("Too many sign-ups from your network");
    expect(body).toMatch(/Try again in \d+ minutes?\./);
    expect(body).toContain(`value="${fresh}"`);

    // Another address signs up at once.
    const other = await post(
      "/signup",
      { name: "Real Person", email: fresh, password: "long-enough-pw", teamName: "Real team" },
      "198.51.100.61",
    );
    expect(other.status).toBe(302);
  });
});

const RateLimited = z.object({
  error: z.object({ code: z.literal("rate_limited"), message: z.string().min(1) }),
});

describe("API rate limits (per key: burst 200, 50/s; per team: 100/s)", () => {
  let team: TestUser;

  beforeAll(async () => {
    team = await makeTeam("busy");
  });

  it("300 sequential calls with one key, 20 ms apart, are never limited", async () => {
    const start = clock.now();
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) {
      setClockForTest(start + i * 20);
      const res = await api(team.key, "GET", "/api/v1/people?limit=1");
      statuses.add(res.status);
      await res.body?.cancel();
    }
    expect([...statuses]).toEqual([200]);
  });

  it("40 concurrent calls are fine", async () => {
    setClockForTest(clock.now() + MINUTE); // a full bucket again
    const all = await Promise.all(
      Array.from({ length: 40 }, () => api(team.key, "GET", "/api/v1/people?limit=1")),
    );
    expect(all.map((r) => r.status)).toEqual(Array(40).fill(200));
    await Promise.all(all.map((r) => r.body?.cancel()));
  });

  it("beyond a burst of 200 at once: 429 rate_limited with Retry-After; another team is not limited", async () => {
    const busy = await makeTeam("bursty");
    const identity = await verifyApiKey(db(env), busy.key);
    if (!identity) throw new Error("key missing");
    // 200 requests at one instant, arranged in the team's limiter.
    const t = clock.now() + MINUTE;
    for (let i = 0; i < 200; i++) {
      setClockForTest(t);
      expect(await takeApiRequest(env, busy.teamId, identity.keyId)).toBeNull();
    }
    // Read a second behind the burst, so no real time spent on the way refills a token.
    setClockForTest(t - 1000);
    const res = await api(busy.key, "GET", "/api/v1/people?limit=1");
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBe(1);
    expect(RateLimited.parse(await res.json()).error.message).toMatch(/retry after 1 s/);

    setClockForTest(t);
    const other = await api(team.key, "GET", "/api/v1/people?limit=1");
    expect(other.status).toBe(200);

    // A second later the key has 50 more.
    setClockForTest(t + 1000);
    const after = await api(busy.key, "GET", "/api/v1/people?limit=1");
    expect(after.status).toBe(200);
  });

  it("an unauthenticated call is refused 401 before any limit", async () => {
    const res = await api("bk_not_a_key", "GET", "/api/v1/people");
    expect(res.status).toBe(401);
  });
});

describe("better-auth's own endpoints share the limits", () => {
  it("40 wrong passwords to POST /api/auth/sign-in/email: limited after 10 with 429 and Retry-After", async () => {
    const user = await signUpUser("guessed-api");
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 40; i++) {
      last = await exports.default.fetch("http://localhost/api/auth/sign-in/email", {
        method: "POST",
        headers: {
          Origin: "http://localhost",
          "Content-Type": "application/json",
          "CF-Connecting-IP": "198.51.100.40",
        },
        body: JSON.stringify({ email: user.email, password: `wrong-${i}` }),
      });
      statuses.push(last.status);
      if (i < 39) await last.body?.cancel();
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    if (!last) throw new Error("no response");
    expect(Number(last.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await last.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });
});
