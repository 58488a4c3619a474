// Self-tests of the fake Resend, run in Node by node's test runner (part of `npm test`):
//   npm run test:fakes

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fakeControl, fakeReset, fakeStats } from "./resend-control";
import { type ResendFake, startResendFake } from "./resend-server";

let fake: ResendFake;
let clock = Date.UTC(2026, 0, 1);
before(async () => {
  fake = await startResendFake({ now: () => clock });
});
after(async () => {
  await fake.close();
});

let keys = 0;
const newKey = () => `re_self_${++keys}_${Math.random().toString(36).slice(2)}`;

type Reply = { status: number; headers: Headers; body: Record<string, unknown> };

async function api(
  key: string | null,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Reply> {
  const res = await fetch(`${fake.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const email = (to: string, subject = "Hello") => ({
  from: "Recruiter <jo@acme.test>",
  to,
  subject,
  text: "Hi",
});

describe("auth and namespaces", () => {
  test("a request without a key is refused with missing_api_key", async () => {
    const reply = await api(null, "/emails", email("a@x.test"));
    assert.equal(reply.status, 401);
    assert.equal(reply.body.name, "missing_api_key");
  });

  test("emails sent with one key are invisible to another key", async () => {
    const [a, b] = [newKey(), newKey()];
    assert.equal((await api(a, "/emails", email("a@x.test"))).status, 200);
    assert.equal((await fakeStats(fake.url, a)).accepted, 1);
    const other = await fakeStats(fake.url, b);
    assert.equal(other.accepted, 0);
    assert.equal(other.requests, 0);
  });

  test("reset forgets the namespace's emails and idempotency keys", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "k1" };
    const first = await api(key, "/emails", email("a@x.test"), idem);
    await fakeReset(fake.url, key);
    const again = await api(key, "/emails", email("a@x.test"), idem);
    assert.notEqual(again.body.id, first.body.id);
    assert.equal((await fakeStats(fake.url, key)).accepted, 1);
  });
});

describe("sending", () => {
  test("a single send is stored with its headers and counted per recipient", async () => {
    const key = newKey();
    const reply = await api(key, "/emails", {
      ...email("Ann <Ann@X.test>"),
      headers: { "List-Unsubscribe": "<https://u>" },
      reply_to: "reply+t@in.test",
    });
    assert.equal(reply.status, 200);
    const stats = await fakeStats(fake.url, key);
    assert.deepEqual(stats.byTo, { "ann@x.test": 1 });
    assert.equal(stats.emails[0].id, reply.body.id);
    assert.deepEqual(stats.emails[0].headers, { "List-Unsubscribe": "<https://u>" });
    assert.deepEqual(stats.emails[0].replyTo, ["reply+t@in.test"]);
  });

  test("a single send without a subject or with a bad address is a 422 validation_error", async () => {
    const key = newKey();
    const noSubject = await api(key, "/emails", { from: "jo@acme.test", to: "a@x.test" });
    assert.equal(noSubject.status, 422);
    assert.match(String(noSubject.body.message), /subject/);
    const badTo = await api(key, "/emails", email("not-an-address"));
    assert.equal(badTo.status, 422);
    assert.equal(badTo.body.name, "validation_error");
    assert.equal((await fakeStats(fake.url, key)).accepted, 0);
  });

  test("strict batch with one invalid member accepts nothing and names the member", async () => {
    const key = newKey();
    const reply = await api(key, "/emails/batch", [email("a@x.test"), email("nope")]);
    assert.equal(reply.status, 422);
    assert.match(String(reply.body.message), /emails\[1\]/);
    assert.equal((await fakeStats(fake.url, key)).accepted, 0);
  });

  test("permissive batch accepts the valid members and lists the others by index", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, { rejectDomains: ["bounce.test"] });
    const reply = await api(
      key,
      "/emails/batch",
      [email("a@x.test"), email("nope"), email("b@bounce.test"), email("c@x.test")],
      { "x-batch-validation": "permissive" },
    );
    assert.equal(reply.status, 200);
    assert.equal((reply.body.data as unknown[]).length, 2);
    const errors = reply.body.errors as { index: number }[];
    assert.deepEqual(
      errors.map((e) => e.index),
      [1, 2],
    );
    assert.deepEqual((await fakeStats(fake.url, key)).byTo, { "a@x.test": 1, "c@x.test": 1 });
  });

  test("a batch over 100 emails is refused", async () => {
    const key = newKey();
    const many = Array.from({ length: 101 }, (_, i) => email(`p${i}@x.test`));
    assert.equal((await api(key, "/emails/batch", many)).status, 422);
  });

  test("a single send to a rejecting domain is a 422", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, { rejectDomains: ["Bounce.test"] });
    assert.equal((await api(key, "/emails", email("z@bounce.test"))).status, 422);
  });
});

describe("idempotency", () => {
  test("same key and same payload (any key order) answers the stored ids, no new email", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "batch-1" };
    const first = await api(key, "/emails/batch", [email("a@x.test"), email("b@x.test")], idem);
    const reordered = [
      { text: "Hi", subject: "Hello", to: "a@x.test", from: "Recruiter <jo@acme.test>" },
      email("b@x.test"),
    ];
    const second = await api(key, "/emails/batch", reordered, idem);
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    const stats = await fakeStats(fake.url, key);
    assert.equal(stats.accepted, 2);
    assert.equal(stats.idempotentReplays, 1);
  });

  test("same key with a different payload is a 409 invalid_idempotent_request", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "k" };
    await api(key, "/emails", email("a@x.test"), idem);
    const reply = await api(key, "/emails", email("a@x.test", "Other"), idem);
    assert.equal(reply.status, 409);
    assert.equal(reply.body.name, "invalid_idempotent_request");
    assert.equal((await fakeStats(fake.url, key)).conflicts409, 1);
  });

  test("a key reused while its first request is held is a 409 concurrent_idempotent_requests", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "slow" };
    await fakeControl(fake.url, key, { failNext: [{ timeoutMs: 300 }] });
    const aborter = new AbortController();
    const slow = api(key, "/emails", email("a@x.test"), idem, aborter.signal).catch(() => null);
    // The held request must have reached the fake before the retry does.
    while ((await fakeStats(fake.url, key)).failuresInjected === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const retry = await api(key, "/emails", email("a@x.test"), idem);
    assert.equal(retry.status, 409);
    assert.equal(retry.body.name, "concurrent_idempotent_requests");
    aborter.abort();
    await slow;
    // The provider finishes the abandoned request: the email exists once, and a retry replays it.
    let stats = await fakeStats(fake.url, key);
    while (stats.accepted === 0) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await fakeStats(fake.url, key);
    }
    const replay = await api(key, "/emails", email("a@x.test"), idem);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.id, stats.emails[0].id);
    assert.equal((await fakeStats(fake.url, key)).accepted, 1);
  });

  test("acceptThenFail stores the emails: the retry with the same key replays them", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "atf" };
    await fakeControl(fake.url, key, { failNext: [{ acceptThenFail: 500 }] });
    const lost = await api(key, "/emails/batch", [email("a@x.test")], idem);
    assert.equal(lost.status, 500);
    const retry = await api(key, "/emails/batch", [email("a@x.test")], idem);
    assert.equal(retry.status, 200);
    const stats = await fakeStats(fake.url, key);
    assert.deepEqual(retry.body, { data: [{ id: stats.emails[0].id }] });
    assert.equal(stats.accepted, 1);
  });

  test("a rejected request frees its key for a corrected retry", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "fixme" };
    await fakeControl(fake.url, key, { failNext: [{ status: 503 }] });
    assert.equal((await api(key, "/emails", email("a@x.test"), idem)).status, 503);
    assert.equal((await api(key, "/emails", email("a@x.test"), idem)).status, 200);
  });

  test("idempotency keys expire after 24 hours", async () => {
    const key = newKey();
    const idem = { "idempotency-key": "old" };
    await api(key, "/emails", email("a@x.test"), idem);
    clock += 24 * 60 * 60 * 1000 + 1;
    assert.equal((await api(key, "/emails", email("a@x.test", "New"), idem)).status, 200);
    assert.equal((await fakeStats(fake.url, key)).accepted, 2);
  });
});

describe("faults", () => {
  test("the rate limiter answers 429 with retry-after beyond n requests in one second", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, { rateLimitPerSecond: 2 });
    clock = Math.floor(clock / 1000) * 1000 + 1000;
    const statuses: number[] = [];
    let last: Reply | undefined;
    for (let i = 0; i < 3; i++) {
      last = await api(key, "/emails", email(`p${i}@x.test`));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(last?.headers.get("retry-after"), "1");
    assert.equal(last?.body.name, "rate_limit_exceeded");
    clock += 1000;
    assert.equal((await api(key, "/emails", email("p3@x.test"))).status, 200);
    const stats = await fakeStats(fake.url, key);
    assert.equal(stats.rateLimited429, 1);
    assert.equal(stats.requests, 4);
    assert.equal(stats.accepted, 3);
  });

  test("failNext is consumed one step per send request, in order", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, {
      failNext: [{ status: 429, retryAfter: 3 }, { status: 500 }],
    });
    const first = await api(key, "/emails", email("a@x.test"));
    assert.equal(first.status, 429);
    assert.equal(first.headers.get("retry-after"), "3");
    assert.equal((await api(key, "/emails", email("a@x.test"))).status, 500);
    assert.equal((await api(key, "/emails", email("a@x.test"))).status, 200);
    const stats = await fakeStats(fake.url, key);
    assert.equal(stats.sendRequests, 3);
    assert.equal(stats.failuresInjected, 2);
    assert.equal(stats.accepted, 1);
  });

  test("failForever answers 500 to every send", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, { failForever: true });
    for (let i = 0; i < 3; i++)
      assert.equal((await api(key, "/emails", email("a@x.test"))).status, 500);
    assert.equal((await fakeStats(fake.url, key)).accepted, 0);
  });

  test("the same seed gives the same sequence of random failures", async () => {
    const run = async () => {
      const key = newKey();
      await fakeControl(fake.url, key, {
        randomFailureRate: 0.5,
        seed: 42,
        randomFailureKinds: ["500", "429"],
      });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await api(key, "/emails", email("a@x.test"))).status);
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(200) && first.some((s) => s !== 200), `mixed: ${first.join(",")}`);
  });

  test("a control body with an unknown field or a bad step is refused, naming it", async () => {
    const key = newKey();
    await assert.rejects(fakeControl(fake.url, key, JSON.parse('{"failnext":[]}')), /failnext/);
    await assert.rejects(
      fakeControl(fake.url, key, JSON.parse('{"failNext":[{"status":404}]}')),
      /failNext\[0\]\.status/,
    );
  });
});

describe("domains", () => {
  test("a domain goes not_started → pending on verify → verified by control", async () => {
    const key = newKey();
    const created = await api(key, "/domains", { name: "Mail.Acme.test" });
    assert.equal(created.status, 200);
    assert.equal(created.body.status, "not_started");
    assert.ok((created.body.records as unknown[]).length >= 2);
    const id = String(created.body.id);
    await api(key, `/domains/${id}/verify`, {});
    assert.equal((await api(key, `/domains/${id}`)).body.status, "pending");
    await fakeControl(fake.url, key, { verifyDomains: ["mail.acme.test"] });
    const list = await api(key, "/domains");
    assert.deepEqual(
      (list.body.data as { name: string; status: string }[]).map((d) => [d.name, d.status]),
      [["mail.acme.test", "verified"]],
    );
  });

  test("with requireVerifiedDomains, only a verified from domain may send", async () => {
    const key = newKey();
    await fakeControl(fake.url, key, { requireVerifiedDomains: true });
    assert.equal((await api(key, "/emails", email("a@x.test"))).status, 403);
    await api(key, "/domains", { name: "acme.test" });
    await fakeControl(fake.url, key, { verifyDomains: ["acme.test"] });
    assert.equal((await api(key, "/emails", email("a@x.test"))).status, 200);
  });

  test("verifying an unknown domain by control is refused", async () => {
    await assert.rejects(
      fakeControl(fake.url, newKey(), { verifyDomains: ["ghost.test"] }),
      /ghost\.test/,
    );
  });
});

test("close ends a held request and its timer at once", async () => {
  const own = await startResendFake();
  const key = newKey();
  await fakeControl(own.url, key, { failNext: [{ timeoutMs: 60_000 }] });
  const held = fetch(`${own.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify(email("a@x.test")),
  }).then(
    () => "answered",
    () => "cut",
  );
  while ((await fakeStats(own.url, key)).failuresInjected === 0) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await own.close();
  assert.equal(await held, "cut");
});
