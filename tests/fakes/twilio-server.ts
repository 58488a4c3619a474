/**
 * A fake Twilio Messaging API on loopback, for the workerd tests and the benchmarks.
 *
 * Start it with `startTwilioFake()` (127.0.0.1, ephemeral port) and point the Twilio
 * transport at its URL. Plain Node `http`; answers shaped as Twilio's.
 *
 * ACCOUNTS. Every request needs HTTP Basic auth `<AccountSid>:<AuthToken>`; the path's
 * account must be the user (else 401 code 20003). Each account SID is a namespace with its
 * own messages, counters and faults, so each test uses its own SID. The first token seen
 * for a SID is its token; another one answers 401 20003.
 *
 * MESSAGES (under `/2010-04-01/Accounts/{Sid}/Messages.json`):
 * - `POST`, form-encoded `To`, `From`, `Body` → 201 `{ sid, status, to, from, body,
 *   date_created, date_sent, direction: "outbound-api", … }`. Errors are
 *   `{ code, message, more_info, status }`: no From → 400 21603; no Body → 400 21602;
 *   a To not in E.164 or listed in `invalidNumbers` → 400 21211; in `stopNumbers` → 400
 *   21610; in `landlineNumbers` → 400 21614. No idempotency of any kind: every accepted
 *   request creates a message.
 * - `GET` → `{ messages, page, page_size, next_page_uri, … }`, newest first, filtered by
 *   `To`, `From`, `DateSent` (that UTC day), `DateSent<` (on or before) and `DateSent>` (on or
 *   after) — the last two arrive as `DateSent<=…` / `DateSent>=…` in the URL. A message
 *   with no date_sent (queued) never matches a DateSent filter. `PageSize` (≤ 1000,
 *   default 50) and `Page` page through it.
 *
 * CONTROL (same Basic auth, never counted or failed), shapes in ./twilio-fake-api.ts:
 * - `POST /__control` `{ failNext, randomFailureRate, seed, randomFailureKinds,
 *   randomTimeoutMs, failForever, lookupFailNext, failLookups, stopNumbers,
 *   invalidNumbers, landlineNumbers, queue }` → `{ config }`. Send faults: `{ status }`
 *   answers before anything is created; `{ timeoutMs }` creates the message, then holds
 *   the answer that long (the caller gives up not knowing) and answers 201 to whoever
 *   still listens; `{ acceptThenFail: 500 }` creates
 *   it and answers 500. Order: failForever, failNext, then chance.
 * - `GET /__stats` → `{ requests, sendRequests, lookupRequests, accepted, byTo,
 *   failuresInjected, messages }`; `POST /__reset` forgets the account.
 *
 * Client helpers: ./twilio-control.ts.
 */

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHolds, listenOnLoopback, readBody, ServerClosed, seededRandom } from "./loopback";
import {
  type FakeSms,
  type LookupFault,
  type SendFault,
  type TwilioConfig,
  TwilioControlSchema,
  type TwilioStats,
} from "./twilio-fake-api";

export type TwilioFake = { url: string; close: () => Promise<void> };

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Stored = FakeSms & { created: number; sent: number | null };

const MAX_BODY_BYTES = 1024 * 1024;
const E164 = /^\+[1-9]\d{6,14}$/;
const PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

function twilioError(status: number, code: number, message: string): Answer {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace("GMT", "+0000");
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

class Account {
  token: string;
  config: TwilioConfig = {
    failNext: [],
    randomFailureRate: 0,
    seed: 1,
    randomFailureKinds: ["500", "429", "timeout"],
    randomTimeoutMs: 1000,
    failForever: false,
    lookupFailNext: [],
    failLookups: false,
    stopNumbers: [],
    invalidNumbers: [],
    landlineNumbers: [],
    queue: false,
  };
  counters = { requests: 0, sendRequests: 0, lookupRequests: 0, accepted: 0, failuresInjected: 0 };
  messages: Stored[] = [];
  private random = seededRandom(1);

  constructor(token: string) {
    this.token = token;
  }

  control(change: ReturnType<typeof TwilioControlSchema.parse>) {
    const { seed, ...rest } = change;
    Object.assign(
      this.config,
      Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    );
    if (seed !== undefined || change.randomFailureRate !== undefined) {
      this.config.seed = seed ?? this.config.seed;
      this.random = seededRandom(this.config.seed);
    }
  }

  nextSendFault(): SendFault | null {
    const c = this.config;
    if (c.failForever) return { status: 500 };
    const scripted = c.failNext.shift();
    if (scripted) return scripted;
    if (c.randomFailureRate > 0 && this.random() < c.randomFailureRate) {
      const kind = c.randomFailureKinds[Math.floor(this.random() * c.randomFailureKinds.length)];
      if (kind === "timeout") return { timeoutMs: c.randomTimeoutMs };
      if (kind === "acceptThenFail") return { acceptThenFail: 500 };
      return { status: kind === "429" ? 429 : 500 };
    }
    return null;
  }

  nextLookupFault(): LookupFault | null {
    if (this.config.failLookups) return { status: 500 };
    return this.config.lookupFailNext.shift() ?? null;
  }

  create(to: string, from: string, body: string, now: number): Stored {
    const queued = this.config.queue;
    const m: Stored = {
      sid: `SM${randomBytes(16).toString("hex")}`,
      to,
      from,
      body,
      status: queued ? "queued" : "sent",
      created: now,
      sent: queued ? null : now,
      dateCreated: rfc2822(now),
      dateSent: queued ? null : rfc2822(now),
    };
    this.messages.push(m);
    this.counters.accepted++;
    return m;
  }

  stats(): TwilioStats {
    const byTo: Record<string, number> = {};
    for (const m of this.messages) byTo[m.to] = (byTo[m.to] ?? 0) + 1;
    return {
      ...this.counters,
      byTo,
      messages: this.messages.map(({ created: _c, sent: _s, ...m }) => m),
    };
  }
}

function resource(accountSid: string, m: Stored) {
  return {
    sid: m.sid,
    account_sid: accountSid,
    api_version: "2010-04-01",
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    direction: "outbound-api",
    num_segments: "1",
    num_media: "0",
    price: null,
    price_unit: "USD",
    error_code: null,
    error_message: null,
    date_created: m.dateCreated,
    date_updated: m.dateCreated,
    date_sent: m.dateSent,
    messaging_service_sid: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  };
}

function basicAuth(req: IncomingMessage): { user: string; password: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function reply(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** Matches Twilio's DateSent filters (whole UTC days; queued messages have no date_sent). */
function dateSentMatches(m: Stored, query: URLSearchParams): boolean {
  const on = query.get("DateSent");
  const before = query.get("DateSent<");
  const after = query.get("DateSent>");
  if (on === null && before === null && after === null) return true;
  if (m.sent === null) return false;
  const day = utcDay(m.sent);
  return (
    (on === null || day === on) &&
    (before === null || day <= before) &&
    (after === null || day >= after)
  );
}

/** Starts the fake on loopback; `close()` clears every pending timer and connection. */
export async function startTwilioFake(
  options: { host?: string; port?: number; now?: () => number } = {},
): Promise<TwilioFake> {
  const now = options.now ?? Date.now;
  const accounts = new Map<string, Account>();
  const holds = createHolds("Twilio");
  const hold = holds.hold;

  async function handleSend(req: IncomingMessage, sid: string, account: Account): Promise<Answer> {
    account.counters.sendRequests++;
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) return twilioError(413, 20001, "The request is too large.");
    const form = new URLSearchParams(raw);
    const fault = account.nextSendFault();
    if (fault) account.counters.failuresInjected++;
    if (fault && "status" in fault) {
      const headers =
        fault.retryAfter === undefined ? undefined : { "retry-after": String(fault.retryAfter) };
      return fault.status === 429
        ? { ...twilioError(429, 20429, "Too Many Requests"), headers }
        : { ...twilioError(fault.status, 20500, "An internal server error has occurred"), headers };
    }
    const to = form.get("To") ?? "";
    const from = form.get("From") ?? "";
    const body = form.get("Body") ?? "";
    const c = account.config;
    if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(400, 21602, "Message body is required.");
    if (!E164.test(to) || c.invalidNumbers.includes(to)) {
      return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (c.stopNumbers.includes(to)) {
      return twilioError(400, 21610, "Attempt to send to unsubscribed recipient");
    }
    if (c.landlineNumbers.includes(to)) {
      return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
    }
    const created = account.create(to, from, body, now());
    if (fault && "timeoutMs" in fault) await hold(fault.timeoutMs);
    if (fault && "acceptThenFail" in fault) {
      return twilioError(500, 20500, "An internal server error has occurred");
    }
    return { status: 201, body: resource(sid, created) };
  }

  async function handleList(url: URL, sid: string, account: Account): Promise<Answer> {
    account.counters.lookupRequests++;
    const fault = account.nextLookupFault();
    if (fault) account.counters.failuresInjected++;
    if (fault && "status" in fault) {
      return twilioError(
        fault.status,
        fault.status === 429 ? 20429 : 20500,
        "Lookup failed (injected)",
      );
    }
    if (fault && "timeoutMs" in fault) await hold(fault.timeoutMs);
    const q = url.searchParams;
    const pageSize = Math.min(1000, Math.max(1, Number(q.get("PageSize") ?? 50) || 50));
    const page = Math.max(0, Number(q.get("Page") ?? 0) || 0);
    const to = q.get("To");
    const from = q.get("From");
    const matching = account.messages
      .filter((m) => (to === null || m.to === to) && (from === null || m.from === from))
      .filter((m) => dateSentMatches(m, q))
      .reverse();
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const pageUri = (n: number) => {
      const next = new URLSearchParams(q);
      next.set("Page", String(n));
      next.set("PageSize", String(pageSize));
      next.set("PageToken", `PA${n}`);
      return `${url.pathname}?${next.toString()}`;
    };
    return {
      status: 200,
      body: {
        messages: slice.map((m) => resource(sid, m)),
        page,
        page_size: pageSize,
        start: page * pageSize,
        end: page * pageSize + Math.max(0, slice.length - 1),
        uri: `${url.pathname}${url.search}`,
        first_page_uri: pageUri(0),
        previous_page_uri: page > 0 ? pageUri(page - 1) : null,
        next_page_uri: (page + 1) * pageSize < matching.length ? pageUri(page + 1) : null,
      },
    };
  }

  async function handleControl(req: IncomingMessage, user: string, url: URL): Promise<Answer> {
    const method = req.method ?? "GET";
    if (url.pathname === "/__reset" && method === "POST") {
      accounts.delete(user);
      return { status: 200, body: { ok: true } };
    }
    const account = accounts.get(user);
    if (!account) return twilioError(404, 20404, "No such account: make a request first");
    if (url.pathname === "/__stats" && method === "GET") {
      return { status: 200, body: account.stats() };
    }
    if (url.pathname === "/__control" && method === "POST") {
      const raw = await readBody(req, MAX_BODY_BYTES);
      let json: unknown = null;
      try {
        json = JSON.parse(raw ?? "");
      } catch {
        return twilioError(400, 20001, "The control body must be JSON.");
      }
      const parsed = TwilioControlSchema.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return twilioError(400, 20001, `${first.path.join(".") || "body"}: ${first.message}`);
      }
      account.control(parsed.data);
      return { status: 200, body: { config: account.config } };
    }
    return twilioError(404, 20404, `No control route ${method} ${url.pathname}`);
  }

  async function route(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const auth = basicAuth(req);
    if (!auth?.password) return twilioError(401, 20003, "Authenticate");
    let account = accounts.get(auth.user);
    if (!account) {
      account = new Account(auth.password);
      accounts.set(auth.user, account);
    }
    if (account.token !== auth.password) return twilioError(401, 20003, "Authenticate");
    if (url.pathname.startsWith("/__")) return handleControl(req, auth.user, url);
    account.counters.requests++;
    const match = PATH.exec(url.pathname);
    if (!match)
      return twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (match[1] !== auth.user) return twilioError(401, 20003, "Authenticate");
    if (req.method === "POST") return handleSend(req, auth.user, account);
    if (req.method === "GET") return handleList(url, auth.user, account);
    return twilioError(405, 20004, "Method not allowed");
  }

  const server = createServer((req, res) => {
    route(req).then(
      (answer) => reply(res, answer),
      (err: unknown) => {
        if (err instanceof ServerClosed) {
          res.destroy();
          return;
        }
        reply(res, twilioError(500, 20500, err instanceof Error ? err.message : String(err)));
      },
    );
  });

  return listenOnLoopback(server, options, "Twilio", holds.releaseAll);
}
