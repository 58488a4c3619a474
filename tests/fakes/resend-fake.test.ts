// Runs inside workerd: the fake Resend started by tests/global-setup.ts is reachable from a
// Worker's fetch, and the real `resend` SDK works against it.

import { Resend } from "resend";
import { describe, expect, inject, test } from "vitest";
import { fakeControl, fakeStats } from "./resend-control";

const url = inject("resendFakeUrl");
const newKey = () => `re_test_${crypto.randomUUID()}`;

const email = (to: string) => ({
  from: "Jo <jo@acme.test>",
  to,
  subject: "Hello",
  text: "Hi",
  html: "<p>Hi</p>",
});

describe("fake Resend from workerd", () => {
  test("a plain fetch to the injected URL reaches the fake and is counted", async () => {
    const key = newKey();
    const res = await fetch(`${url}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(email("a@x.test")),
    });
    expect(res.status).toBe(200);
    const stats = await fakeStats(url, key);
    expect(stats.requests).toBe(1);
    expect(stats.byTo).toEqual({ "a@x.test": 1 });
  });

  test("the SDK's emails.send with an idempotency key is accepted once and replayed", async () => {
    const key = newKey();
    const resend = new Resend(key, { baseUrl: url });
    const first = await resend.emails.send(email("a@x.test"), { idempotencyKey: "stage-1" });
    expect(first.error).toBeNull();
    const again = await resend.emails.send(email("a@x.test"), { idempotencyKey: "stage-1" });
    expect(again.data?.id).toBe(first.data?.id);
    const changed = await resend.emails.send(
      { ...email("a@x.test"), subject: "Changed" },
      { idempotencyKey: "stage-1" },
    );
    expect(changed.error?.name).toBe("invalid_idempotent_request");
    const stats = await fakeStats(url, key);
    expect(stats.accepted).toBe(1);
    expect(stats.idempotentReplays).toBe(1);
    expect(stats.emails[0].idempotencyKey).toBe("stage-1");
  });

  test("the SDK's permissive batch.send answers per member", async () => {
    const key = newKey();
    await fakeControl(url, key, { rejectDomains: ["bounce.test"] });
    const resend = new Resend(key, { baseUrl: url });
    const reply = await resend.batch.send(
      [email("a@x.test"), email("b@bounce.test"), email("c@x.test")],
      { idempotencyKey: "batch-1", batchValidation: "permissive" },
    );
    expect(reply.error).toBeNull();
    expect(reply.data?.data).toHaveLength(2);
    expect(reply.data?.errors.map((e) => e.index)).toEqual([1]);
    const replay = await resend.batch.send(
      [email("a@x.test"), email("b@bounce.test"), email("c@x.test")],
      { idempotencyKey: "batch-1", batchValidation: "permissive" },
    );
    expect(replay.data).toEqual(reply.data);
    expect((await fakeStats(url, key)).accepted).toBe(2);
  });

  test("an injected 429 reaches the SDK as rate_limit_exceeded with retry-after", async () => {
    const key = newKey();
    await fakeControl(url, key, { failNext: [{ status: 429, retryAfter: 2 }] });
    const resend = new Resend(key, { baseUrl: url });
    const reply = await resend.emails.send(email("a@x.test"), { idempotencyKey: "k" });
    expect(reply.error?.name).toBe("rate_limit_exceeded");
    expect(reply.headers?.["retry-after"]).toBe("2");
    const retry = await resend.emails.send(email("a@x.test"), { idempotencyKey: "k" });
    expect(retry.error).toBeNull();
    expect((await fakeStats(url, key)).accepted).toBe(1);
  });
});
