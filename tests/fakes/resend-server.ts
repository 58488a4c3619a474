/**
 * A fake Resend API on loopback, for the workerd tests and the benchmarks.
 *
 * Start it with `startResendFake()` (127.0.0.1, ephemeral port) and point the SDK at it:
 * `new Resend("re_<anything>", { baseUrl: fake.url })`. Plain Node `http`, no dependencies.
 *
 * NAMESPACES. Every request needs `Authorization: Bearer <key>` (missing → 401
 * `missing_api_key`; a key not starting with `re_` → 403 `invalid_api_key`). All state —
 * emails, idempotency keys, counters, faults, the rate limiter, domains — belongs to that
 * key, so each test file (or test) uses its own key and never sees another's.
 *
 * EMAILS (answers and error bodies `{ statusCode, name, message }` as Resend's):
 * - `POST /emails` → 200 `{ id }`; an invalid email → 422 `validation_error` (missing
 *   from/to/subject, a `to` that is not an address, a recipient on a `rejectDomains`
 *   domain), or 403 when `requireVerifiedDomains` is on and `from` is not on a verified domain.
 * - `POST /emails/batch` (1..100 emails, else 422). Header `x-batch-validation`:
 *   `strict` (default) → 200 `{ data: [{ id }] }`, or 422/403 naming `emails[i]` if any is
 *   invalid (nothing accepted); `permissive` → 200 `{ data: [{ id }] for the valid ones in
 *   order, errors: [{ index, message }] for the others }`.
 * - `Idempotency-Key` (1..256 chars, else 400 `invalid_idempotency_key`): the fingerprint is
 *   path + validation mode + canonical JSON of the body (key order ignored). Same key and
 *   fingerprint → the stored answer again, no new email; another fingerprint → 409
 *   `invalid_idempotent_request`; while the first request with the key is still being
 *   handled (see `timeoutMs`) → 409 `concurrent_idempotent_requests`. Only 2xx answers are
 *   stored (a rejected request frees its key). Keys expire after 24 h of the `now` clock.
 *
 * DOMAINS: `POST /domains {name}` → `{ id, name, status: "not_started", records: [{ record,
 * name, type, value, ttl, status }], … }`; `GET /domains` → `{ object: "list", data }`;
 * `GET /domains/:id`; `POST /domains/:id/verify` → status "pending"; `DELETE /domains/:id`.
 *
 * CONTROL (same Bearer key, never counted, never rate-limited or failed):
 * - `POST /__control` with any of (each replaces the current value; answers `{ config }`):
 *   `rateLimitPerSecond: n | null` — beyond n API requests in the current wall-clock second,
 *     429 `rate_limit_exceeded` with `retry-after: 1` (429s do not use up the window);
 *   `failNext: [step…]` — a queue, one step consumed per send request: `{ status: 429|500|503,
 *     retryAfter? }` answers that error before anything is done; `{ timeoutMs }` holds the
 *     request that long (its idempotency key "in progress"), then handles it normally and
 *     answers 200 to whoever still listens; `{ acceptThenFail: 500 }` accepts and stores the
 *     emails and the idempotent answer but answers 500;
 *   `randomFailureRate: 0..1`, `seed`, `randomFailureKinds` (default ["500","429","timeout"],
 *     also "acceptThenFail"), `randomTimeoutMs` (default 1000) — seeded, deterministic faults;
 *   `failForever: true` — every send request 500;
 *   `rejectDomains: [domain]`; `requireVerifiedDomains: bool`;
 *   `verifyDomains: [name]` / `failDomains: [name]` — set those domains' status.
 *   Faults (failForever first, then failNext, then chance) apply to the two send endpoints only.
 * - `GET /__stats[?emails=N]` → `{ requests, sendRequests, accepted, byTo, idempotentReplays,
 *   conflicts409, rateLimited429, failuresInjected, emails }` (see `FakeStats`).
 * - `POST /__reset` → forgets everything of that key.
 *
 * Client helpers for tests and benches: `./resend-control.ts`.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHolds, listenOnLoopback, readBody, ServerClosed } from "./loopback";
import { type FailStep, parseFakeControl } from "./resend-fake-api";
import { canonicalJson, checkEmail, type EmailRules, MAX_BATCH } from "./resend-fake-emails";
import { Namespace, type StoredAnswer, setDomainStatus } from "./resend-fake-namespace";

export type ResendFakeOptions = {
  host?: string;
  port?: number;
  /** Clock for the rate-limit window and idempotency TTL (tests pass a fake one). */
  now?: () => number;
  /** How many accepted emails per key `GET /__stats` can list. */
  maxEmailsKept?: number;
};

export type ResendFake = {
  url: string;
  close: () => Promise<void>;
};

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

type Answer = StoredAnswer & { headers?: Record<string, string> };

function error(status: number, name: string, message: string): StoredAnswer {
  return { status, body: { statusCode: status, name, message } };
}

function faultAnswer(step: Extract<FailStep, { status: number }>): Answer {
  const retryAfter = step.retryAfter ?? (step.status === 429 ? 1 : undefined);
  const headers = retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) };
  const answer =
    step.status === 429
      ? error(429, "rate_limit_exceeded", "Too many requests. Please slow down.")
      : step.status === 500
        ? error(500, "internal_server_error", "An unexpected error occurred.")
        : error(503, "application_error", "Service temporarily unavailable.");
  return { ...answer, headers };
}

function bearerKey(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1] ?? null;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** Starts the fake on loopback; `close()` clears every pending timer and connection. */
export async function startResendFake(options: ResendFakeOptions = {}): Promise<ResendFake> {
  const now = options.now ?? Date.now;
  const maxEmailsKept = options.maxEmailsKept ?? 10_000;
  const namespaces = new Map<string, Namespace>();
  const holds = createHolds("Resend");
  const hold = holds.hold;

  function namespaceFor(key: string): Namespace {
    let ns = namespaces.get(key);
    if (!ns) {
      ns = new Namespace(now, maxEmailsKept);
      namespaces.set(key, ns);
    }
    return ns;
  }

  function processEmails(
    ns: Namespace,
    body: unknown,
    mode: "single" | "strict" | "permissive",
    idempotencyKey: string | null,
  ): StoredAnswer {
    const rules: EmailRules = {
      batch: mode !== "single",
      rejectDomains: new Set(ns.config.rejectDomains),
      verifiedDomains: ns.config.requireVerifiedDomains ? ns.verifiedDomainNames() : null,
    };
    if (mode === "single") {
      const check = checkEmail(body, rules);
      if (!check.ok) return error(check.status, "validation_error", check.message);
      return { status: 200, body: { id: ns.accept(check.email, idempotencyKey, null) } };
    }
    if (!Array.isArray(body)) {
      return error(422, "validation_error", "The batch body must be an array of emails.");
    }
    if (body.length === 0 || body.length > MAX_BATCH) {
      return error(
        422,
        "validation_error",
        `A batch holds 1 to ${MAX_BATCH} emails, not ${body.length}.`,
      );
    }
    const checks = body.map((item) => checkEmail(item, rules));
    if (mode === "strict") {
      const index = checks.findIndex((c) => !c.ok);
      const bad = checks[index];
      if (bad && !bad.ok)
        return error(bad.status, "validation_error", `emails[${index}]: ${bad.message}`);
    }
    const data: { id: string }[] = [];
    const errors: { index: number; message: string }[] = [];
    checks.forEach((check, index) => {
      if (check.ok) data.push({ id: ns.accept(check.email, idempotencyKey, index) });
      else errors.push({ index, message: check.message });
    });
    return { status: 200, body: mode === "strict" ? { data } : { data, errors } };
  }

  async function handleSend(req: IncomingMessage, ns: Namespace, path: string): Promise<Answer> {
    ns.counters.sendRequests++;
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) return error(413, "validation_error", "The request body is too large.");
    const idempotencyKey = header(req, "idempotency-key") ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 256)) {
      return error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
    }
    const batchMode = header(req, "x-batch-validation") ?? "strict";
    if (path === "/emails/batch" && batchMode !== "strict" && batchMode !== "permissive") {
      return error(422, "validation_error", "x-batch-validation must be strict or permissive.");
    }
    const mode = path === "/emails" ? "single" : batchMode === "strict" ? "strict" : "permissive";
    const fault = ns.nextFault();
    if (fault) ns.counters.failuresInjected++;
    if (fault && "status" in fault) return faultAnswer(fault);
    const json = parseJson(raw);
    const fingerprint = `${path} ${mode} ${json.ok ? canonicalJson(json.value) : raw}`;
    const failAfter = fault && "acceptThenFail" in fault;
    if (idempotencyKey !== null) {
      const seen = ns.checkIdempotency(idempotencyKey, fingerprint);
      if (seen.kind === "concurrent" || seen.kind === "mismatch") {
        ns.counters.conflicts409++;
        return seen.kind === "concurrent"
          ? error(
              409,
              "concurrent_idempotent_requests",
              "Same idempotency key used while the original request is still in progress.",
            )
          : error(
              409,
              "invalid_idempotent_request",
              "Same idempotency key used with a different request payload.",
            );
      }
      if (seen.kind === "replay") {
        if (fault && "timeoutMs" in fault) await hold(fault.timeoutMs);
        ns.counters.idempotentReplays++;
        return failAfter ? faultAnswer({ status: 500 }) : seen.answer;
      }
      ns.beginIdempotent(idempotencyKey, fingerprint);
    }
    if (fault && "timeoutMs" in fault) await hold(fault.timeoutMs);
    const answer = json.ok
      ? processEmails(ns, json.value, mode, idempotencyKey)
      : error(422, "validation_error", "The request body is not valid JSON.");
    if (idempotencyKey !== null) ns.finishIdempotent(idempotencyKey, fingerprint, answer);
    return failAfter ? faultAnswer({ status: 500 }) : answer;
  }

  async function handleDomains(req: IncomingMessage, ns: Namespace, path: string): Promise<Answer> {
    const method = req.method ?? "GET";
    if (path === "/domains") {
      if (method === "GET") {
        const data = [...ns.domains.values()].map(({ records: _records, ...d }) => d);
        return { status: 200, body: { object: "list", has_more: false, data } };
      }
      if (method !== "POST") return error(405, "method_not_allowed", "Method not allowed.");
      const raw = await readBody(req, MAX_BODY_BYTES);
      const json = raw === null ? null : parseJson(raw);
      const body = json?.ok ? json.value : null;
      const name =
        typeof body === "object" && body !== null && "name" in body && typeof body.name === "string"
          ? body.name.trim().toLowerCase()
          : "";
      if (!HOSTNAME.test(name)) {
        return error(422, "validation_error", "The `name` field must be a domain name.");
      }
      if ([...ns.domains.values()].some((d) => d.name === name)) {
        return error(403, "validation_error", `The domain ${name} has been registered already.`);
      }
      return { status: 200, body: ns.addDomain(name) };
    }
    const match = /^\/domains\/([^/]+)(\/verify)?$/.exec(path);
    const domain = match ? ns.domains.get(match[1]) : undefined;
    if (!match || !domain) return error(404, "not_found", "Domain not found");
    if (match[2]) {
      if (method !== "POST") return error(405, "method_not_allowed", "Method not allowed.");
      if (domain.status !== "verified") setDomainStatus(domain, "pending");
      return { status: 200, body: { object: "domain", id: domain.id } };
    }
    if (method === "GET") return { status: 200, body: { object: "domain", ...domain } };
    if (method === "DELETE") {
      ns.domains.delete(domain.id);
      return { status: 200, body: { object: "domain", id: domain.id, deleted: true } };
    }
    return error(405, "method_not_allowed", "Method not allowed.");
  }

  async function handleControl(req: IncomingMessage, key: string, url: URL): Promise<Answer> {
    const method = req.method ?? "GET";
    if (url.pathname === "/__reset" && method === "POST") {
      namespaces.delete(key);
      return { status: 200, body: { ok: true } };
    }
    const ns = namespaceFor(key);
    if (url.pathname === "/__stats" && method === "GET") {
      const limit = url.searchParams.get("emails");
      const n = limit === null ? null : Number(limit);
      if (n !== null && (!Number.isInteger(n) || n < 0)) {
        return error(400, "validation_error", "?emails must be a whole number");
      }
      return { status: 200, body: ns.stats(n) };
    }
    if (url.pathname === "/__control" && method === "POST") {
      const raw = await readBody(req, MAX_BODY_BYTES);
      const json = raw === null ? null : parseJson(raw);
      if (!json?.ok) return error(400, "validation_error", "The control body must be JSON.");
      const parsed = parseFakeControl(json.value);
      if (!parsed.ok) return error(400, "validation_error", parsed.message);
      const applied = ns.control(parsed.value);
      if (!applied.ok) return error(400, "validation_error", applied.message);
      return { status: 200, body: { config: ns.config } };
    }
    return error(404, "not_found", `No control route ${method} ${url.pathname}`);
  }

  async function route(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const key = bearerKey(req);
    if (!key) {
      return error(401, "missing_api_key", "Missing API key in the authorization header.");
    }
    if (!key.startsWith("re_")) return error(403, "invalid_api_key", "API key is invalid");
    if (url.pathname.startsWith("/__")) return handleControl(req, key, url);
    const ns = namespaceFor(key);
    ns.counters.requests++;
    if (!ns.takeRateSlot()) {
      ns.counters.rateLimited429++;
      const limit = String(ns.config.rateLimitPerSecond);
      return {
        ...error(
          429,
          "rate_limit_exceeded",
          "Too many requests. You can only make a limited number of requests per second.",
        ),
        headers: {
          "retry-after": "1",
          "ratelimit-limit": limit,
          "ratelimit-remaining": "0",
          "ratelimit-reset": "1",
        },
      };
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const answer = await (async (): Promise<Answer> => {
      if (path === "/emails" || path === "/emails/batch") {
        if (req.method !== "POST") return error(405, "method_not_allowed", "Method not allowed.");
        return handleSend(req, ns, path);
      }
      if (path === "/domains" || path.startsWith("/domains/")) return handleDomains(req, ns, path);
      return error(404, "not_found", `No route ${req.method} ${path}`);
    })();
    if (answer.status === 429) ns.counters.rateLimited429++;
    return answer;
  }

  const server = createServer((req, res) => {
    route(req).then(
      (answer) => send(res, answer),
      (err: unknown) => {
        if (err instanceof ServerClosed) {
          res.destroy();
          return;
        }
        send(
          res,
          error(500, "internal_server_error", err instanceof Error ? err.message : String(err)),
        );
      },
    );
  });

  return listenOnLoopback(server, options, "Resend", holds.releaseAll);
}
