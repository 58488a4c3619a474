/**
 * Issue 11 item 4 (JSON API): every JSON body is read as a stream through one reader with a
 * per-route cap, counting bytes as they arrive — a chunked body without Content-Length, or
 * with a Content-Length that lies, gets 413 naming the limit and the server keeps answering.
 */
import { exports } from "cloudflare:workers";
import { api as apiRouter } from "@workers/api/index";
import { JSON_BODY_LIMITS } from "@workers/http/json-cap";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { alarmUntil, EmailLogPage, engineTeam, ProspectPage } from "./helpers/engine";

const MiB = 1024 * 1024;
const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
const Id = z.object({ id: z.string() });

/**
 * A JSON document of exactly `size` bytes streamed in 64 KiB chunks, with no length known
 * up front: `head` + padding spaces + `tail` (whitespace is valid JSON, so the body stays
 * what `head…tail` says). `produced()` is how many bytes the reader pulled.
 */
function streamedJson(head: string, tail: string, size: number) {
  const bytes = new TextEncoder();
  const first = bytes.encode(head);
  const last = bytes.encode(tail);
  const padding = size - first.byteLength - last.byteLength;
  if (padding < 0) throw new Error("size is smaller than the document");
  const spaces = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  let stage: "head" | "pad" | "tail" | "done" = "head";
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === "head") {
        controller.enqueue(first);
        sent += first.byteLength;
        stage = "pad";
      } else if (stage === "pad") {
        const left = padding - (sent - first.byteLength);
        if (left <= 0) {
          stage = "tail";
          return;
        }
        const chunk = left >= spaces.byteLength ? spaces : spaces.subarray(0, left);
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      } else if (stage === "tail") {
        controller.enqueue(last);
        sent += last.byteLength;
        stage = "done";
      } else {
        controller.close();
      }
    },
  });
  return { stream, produced: () => sent };
}

function send(
  key: string,
  method: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return exports.default.fetch(`http://localhost${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...headers },
    body,
  });
}

async function expectTooLarge(res: Response, limit: string) {
  const text = await res.text();
  expect(res.status, text).toBe(413);
  const { error } = ErrorBody.parse(JSON.parse(text));
  expect(error.code).toBe("payload_too_large");
  expect(error.message).toContain(limit);
}

const PERSON_HEAD = '{"firstName":"Big","emails":[{"address":"big@bodies.example","type":"work"}]';

type Team = Awaited<ReturnType<typeof engineTeam>>;
let t: Team;
let w: { personId: string; campaignId: string; messageId: string };

beforeAll(async () => {
  t = await engineTeam("bodies");
  const [personId] = await t.people([
    { firstName: "Body", emails: [{ address: "body@bodies.example", type: "work" }] },
  ]);
  const created = await t.call("POST", "/api/v1/campaigns", {
    name: "Bodies",
    stages: [
      { type: "email", delayMinutes: 0, mailboxId: t.mailboxId, subject: "Hi", body: "Hello" },
    ],
  });
  const campaignId = Id.parse(created.json).id;
  await t.call("POST", `/api/v1/campaigns/${campaignId}/prospects`, { personIds: [personId] });
  await alarmUntil(campaignId, async () => {
    const res = await t.call("GET", `/api/v1/campaigns/${campaignId}/prospects`);
    return ProspectPage.parse(res.json).items[0]?.status === "complete";
  });
  const log = EmailLogPage.parse(
    (await t.call("GET", `/api/v1/email-log?campaignId=${campaignId}`)).json,
  ).items;
  const messageId = log[0]?.id;
  if (!messageId) throw new Error("no message in the Email Log");
  w = { personId, campaignId, messageId };
});

describe("a chunked 30 MiB JSON body", () => {
  it("POST /api/v1/people → 413 naming the 1 MiB limit, reading stops near the cap, and the server keeps answering", async () => {
    const body = streamedJson(PERSON_HEAD, "}", 30 * MiB);
    await expectTooLarge(await send(t.key, "POST", "/api/v1/people", body.stream), "1 MiB");
    // Read as it arrives and dropped at the cap: nowhere near the 30 MiB offered.
    expect(body.produced()).toBeLessThan(4 * MiB);

    const after = await t.call("POST", "/api/v1/people", {
      firstName: "After",
      emails: [{ address: "after@bodies.example", type: "work" }],
    });
    expect(after.status, after.text).toBe(201);
  });

  it("with a Content-Length that lies small → 413", async () => {
    const body = streamedJson(PERSON_HEAD, "}", 30 * MiB);
    const res = await send(t.key, "POST", "/api/v1/people", body.stream, {
      "Content-Length": "100",
    });
    await expectTooLarge(res, "1 MiB");
    expect(body.produced()).toBeLessThan(4 * MiB);
    const list = await t.call("GET", "/api/v1/people?limit=100");
    expect(list.text).not.toContain("big@bodies.example");
  });

  it("with a Content-Length that says it is too large → 413 before reading", async () => {
    const body = streamedJson(PERSON_HEAD, "}", 2 * MiB);
    await expectTooLarge(
      await send(t.key, "POST", "/api/v1/people", body.stream, {
        "Content-Length": String(2 * MiB),
      }),
      "1 MiB",
    );
  });
});

describe("at the cap", () => {
  it("a person body of 1 MiB exactly is accepted as usual", async () => {
    const body = streamedJson(
      '{"firstName":"Edge","emails":[{"address":"edge@bodies.example","type":"work"}]',
      "}",
      MiB,
    );
    const res = await send(t.key, "POST", "/api/v1/people", body.stream);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(Id.extend({ firstName: z.literal("Edge") }).parse(await res.json())).toBeTruthy();
  });

  it("one byte more → 413", async () => {
    const body = streamedJson(PERSON_HEAD, "}", MiB + 1);
    await expectTooLarge(await send(t.key, "POST", "/api/v1/people", body.stream), "1 MiB");
  });

  it("enrolling 10,000 person ids fits under 1 MiB", async () => {
    const ids = Array.from({ length: 10_000 }, () => crypto.randomUUID());
    const res = await t.call("POST", `/api/v1/campaigns/${w.campaignId}/prospects`, {
      personIds: ids,
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(JSON.stringify({ personIds: ids }).length).toBeLessThan(MiB);
  });

  it("a campaign larger than 1 MiB (long email bodies) is accepted under its 16 MiB limit", async () => {
    const stages = Array.from({ length: 30 }, (_, i) => ({
      type: "email",
      delayMinutes: i * 60,
      mailboxId: t.mailboxId,
      subject: `Step ${i}`,
      body: "x".repeat(100_000),
    }));
    const input = { name: "Long", status: "draft", stages };
    expect(JSON.stringify(input).length).toBeGreaterThan(2 * MiB);
    const res = await t.call("POST", "/api/v1/campaigns", input);
    expect(res.status, res.text.slice(0, 300)).toBe(201);
  });

  it("a chunked campaign body over 16 MiB → 413 naming 16 MiB", async () => {
    const body = streamedJson('{"name":"Huge","stages":[]', "}", 16 * MiB + 1);
    await expectTooLarge(await send(t.key, "POST", "/api/v1/campaigns", body.stream), "16 MiB");
  });
});

/**
 * Every JSON API route that reads a body, with its limit; a new route that takes a body
 * must be added here (the first test fails until it is).
 */
const BODY_ROUTES: Record<string, { path: () => string; limit: number }> = {
  "POST /api/v1/people": { path: () => "/api/v1/people", limit: JSON_BODY_LIMITS.default },
  "PATCH /api/v1/people/:id": {
    path: () => `/api/v1/people/${w.personId}`,
    limit: JSON_BODY_LIMITS.default,
  },
  "POST /api/v1/campaigns": { path: () => "/api/v1/campaigns", limit: JSON_BODY_LIMITS.campaign },
  "PATCH /api/v1/campaigns/:id": {
    path: () => `/api/v1/campaigns/${w.campaignId}`,
    limit: JSON_BODY_LIMITS.campaign,
  },
  "POST /api/v1/campaigns/:id/prospects": {
    path: () => `/api/v1/campaigns/${w.campaignId}/prospects`,
    limit: JSON_BODY_LIMITS.default,
  },
  "POST /api/v1/campaigns/:id/prospects/actions": {
    path: () => `/api/v1/campaigns/${w.campaignId}/prospects/actions`,
    limit: JSON_BODY_LIMITS.default,
  },
  "POST /api/v1/email-log/:id/retry": {
    path: () => `/api/v1/email-log/${w.messageId}/retry`,
    limit: JSON_BODY_LIMITS.default,
  },
  "POST /api/v1/mailboxes": { path: () => "/api/v1/mailboxes", limit: JSON_BODY_LIMITS.default },
  "POST /api/v1/jobs": { path: () => "/api/v1/jobs", limit: JSON_BODY_LIMITS.default },
  "POST /api/v1/domains": { path: () => "/api/v1/domains", limit: JSON_BODY_LIMITS.default },
  "PUT /api/v1/account/limits": {
    path: () => "/api/v1/account/limits",
    limit: JSON_BODY_LIMITS.default,
  },
};

/** Routes that change state without reading a body: a body sent to them is ignored. */
const NO_BODY = new Set([
  "POST /api/v1/campaigns/:id/activate",
  "POST /api/v1/campaigns/:id/disable",
  "POST /api/v1/campaigns/:id/duplicate",
  "POST /api/v1/domains/:id/check",
  "POST /api/v1/email-log/:id/cancel",
  "POST /api/v1/mailboxes/:id/resync",
]);

/** Multipart uploads: one 10 MiB file plus 64 KiB for the form's framing. */
const UPLOAD_ROUTES: Record<string, { path: () => string; limit: number }> = {
  "POST /api/v1/attachments": { path: () => "/api/v1/attachments", limit: 10 * MiB + 64 * 1024 },
};

describe("every JSON route reads through the capped reader", () => {
  it("has a case for every route that may take a body", () => {
    const writes = apiRouter.list().filter((r) => /^(POST|PUT|PATCH) /.test(r));
    const missing = writes.filter(
      (r) => !(r in BODY_ROUTES) && !(r in UPLOAD_ROUTES) && !NO_BODY.has(r),
    );
    expect(missing, `add body-limit cases for: ${missing.join(", ")}`).toEqual([]);
  });

  for (const [route, c] of Object.entries(BODY_ROUTES)) {
    it(`${route}: a chunked body one byte over its limit → 413`, async () => {
      const [method] = route.split(" ");
      const body = streamedJson('{"x":1', "}", c.limit + 1);
      const label = c.limit === JSON_BODY_LIMITS.campaign ? "16 MiB" : "1 MiB";
      await expectTooLarge(await send(t.key, method, c.path(), body.stream), label);
    });
  }

  for (const [route, c] of Object.entries(UPLOAD_ROUTES)) {
    it(`${route}: a chunked multipart body one byte over 10 MiB + 64 KiB → 413`, async () => {
      const [method] = route.split(" ");
      const boundary = "----beacon-test";
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
      const body = streamedJson(head, `\r\n--${boundary}--\r\n`, c.limit + 1);
      const res = await send(t.key, method, c.path(), body.stream, {
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
      });
      await expectTooLarge(res, "10304 KiB");
    });
  }

  it("retrying a message with an empty body still works (the default options)", async () => {
    const res = await exports.default.fetch(
      `http://localhost/api/v1/email-log/${w.messageId}/retry`,
      { method: "POST", headers: { Authorization: `Bearer ${t.key}` } },
    );
    // A sent message cannot be retried: a refusal, not a 400 for the missing body.
    expect([200, 409, 422]).toContain(res.status);
    expect(await res.text()).not.toContain("must be JSON");
  });
});
