import { z } from "zod";
import { parseRetryAfter } from "../core/engine/retries";
import {
  findOurSms,
  type ListedSms,
  TWILIO_INVALID_TO_CODES,
  TWILIO_STOP_CODE,
  toE164,
} from "../core/sms";
import type { SmsLookup, SmsQuery, SmsResult, SmsTransport } from "./sms";
import type { OutgoingSms } from "./types";

/** How long the Worker waits for Twilio before the outcome counts as unknown. */
export const TWILIO_TIMEOUT_MS = 10_000;
export const TWILIO_BASE_URL = "https://api.twilio.com";
/** Requests in flight at once: Twilio queues per sender itself (and caps concurrent API requests per account well above this); this only bounds our wait. */
const CONCURRENCY = 10;
const LOOKUP_PAGE_SIZE = 100;
/** Past this many messages to one recipient the lookup gives up rather than guess. */
const LOOKUP_MAX_PAGES = 5;

const CreatedSchema = z.object({ sid: z.string().min(1) });
const ErrorSchema = z.object({
  code: z.number().nullable().optional(),
  message: z.string().optional(),
});
const ListSchema = z.object({
  messages: z.array(
    z.object({
      sid: z.string(),
      body: z.string().nullable(),
      date_created: z.string().nullable(),
      direction: z.string(),
    }),
  ),
  next_page_uri: z.string().nullable().optional(),
});

export type TwilioOptions = {
  accountSid: string;
  authToken: string;
  /** Our sender: a phone number in international form or an alphanumeric sender id. */
  from: string;
  baseUrl?: string;
  timeoutMs?: number;
  /** Maps the engine's clock to Twilio's (tests move the engine's clock; Twilio's is real). */
  providerTime?: (engineMs: number) => number;
};

/** Runs `fn` over `items` with at most `limit` at once, answers in the items' order. */
async function pooled<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Twilio's REST API over fetch. Twilio takes no idempotency key, so a send is never
 * repeated blindly: 5xx, timeouts and dropped connections come back as `unknown`, and
 * `find` reads Twilio's message list to settle them before anything is sent again.
 */
export function twilioTransport(opts: TwilioOptions): SmsTransport {
  const base = (opts.baseUrl ?? TWILIO_BASE_URL).replace(/\/+$/, "");
  const messagesUrl = `${base}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${opts.accountSid}:${opts.authToken}`)}`;
  const timeoutMs = opts.timeoutMs ?? TWILIO_TIMEOUT_MS;
  const providerTime = opts.providerTime ?? ((ms: number) => ms);

  async function sendOne(sms: OutgoingSms): Promise<SmsResult> {
    const to = toE164(sms.to);
    if (!to.ok) {
      return {
        id: sms.id,
        ok: false,
        kind: "permanent",
        reason: "invalid_recipient",
        message: to.message,
      };
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(messagesUrl, {
        method: "POST",
        headers: {
          Authorization: authorization,
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: new URLSearchParams({ To: to.number, From: opts.from, Body: sms.text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      return {
        id: sms.id,
        ok: false,
        kind: "transient",
        unknown: true,
        message: `No answer from Twilio: ${String(error)}`,
      };
    }
    if (res.ok) {
      const created = CreatedSchema.safeParse(readJson(text));
      // Created, even when the answer is unreadable: it must not be sent again.
      return { id: sms.id, ok: true, providerId: created.success ? created.data.sid : null };
    }
    const parsed = ErrorSchema.safeParse(readJson(text));
    const code = parsed.success ? (parsed.data.code ?? null) : null;
    const said = parsed.success && parsed.data.message ? parsed.data.message : text.slice(0, 200);
    const message = `Twilio ${res.status}${code === null ? "" : ` (${code})`}: ${said}`;
    if (res.status === 429) {
      const after = parseRetryAfter(res.headers.get("retry-after"), Date.now());
      return {
        id: sms.id,
        ok: false,
        kind: "rate_limited",
        message,
        retryAfterMs: after ?? undefined,
      };
    }
    if (res.status >= 500) {
      return { id: sms.id, ok: false, kind: "transient", unknown: true, message };
    }
    const reason =
      code === TWILIO_STOP_CODE
        ? "sms_stop"
        : code !== null && (TWILIO_INVALID_TO_CODES as readonly number[]).includes(code)
          ? "invalid_recipient"
          : "provider_rejected";
    return { id: sms.id, ok: false, kind: "permanent", reason, message };
  }

  /**
   * Reads the list of messages from our sender to the recipient, newest first. No
   * DateSent filter: Twilio leaves date_sent empty while a message waits in its queue,
   * and a filter on it would hide exactly the message we are looking for.
   */
  async function findOne(q: SmsQuery): Promise<SmsLookup> {
    const id = q.sms.id;
    const to = toE164(q.sms.to);
    // Such a number is refused before any request, so nothing can have been sent.
    if (!to.ok) return { id, found: false };
    const want = { body: q.sms.text, firstTryAt: providerTime(q.firstTryAt), claimed: q.claimed };
    const first = new URL(messagesUrl);
    first.searchParams.set("To", to.number);
    first.searchParams.set("From", opts.from);
    first.searchParams.set("PageSize", String(LOOKUP_PAGE_SIZE));
    let url: URL | null = first;
    for (let page = 0; page < LOOKUP_MAX_PAGES && url; page++) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          headers: { Authorization: authorization, Accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (error) {
        return {
          id,
          found: null,
          message: `Twilio's message list did not answer: ${String(error)}`,
        };
      }
      if (!res.ok) {
        return { id, found: null, message: `Twilio's message list answered ${res.status}` };
      }
      const list = ListSchema.safeParse(readJson(text));
      if (!list.success) {
        return { id, found: null, message: "Twilio's message list answered something unreadable" };
      }
      const listed = list.data.messages.map((m): ListedSms => {
        const at = m.date_created === null ? Number.NaN : Date.parse(m.date_created);
        return {
          sid: m.sid,
          body: m.body ?? "",
          createdAt: Number.isNaN(at) ? null : at,
          direction: m.direction,
        };
      });
      const sid = findOurSms(listed, want);
      if (sid) return { id, found: true, providerId: sid };
      const next = list.data.next_page_uri;
      url = next ? new URL(next, `${base}/`) : null;
    }
    if (url) {
      return {
        id,
        found: null,
        lasting: true,
        message: `Twilio lists more than ${LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE} messages to ${to.number}`,
      };
    }
    return { id, found: false };
  }

  return {
    send: (messages) => pooled(messages, CONCURRENCY, sendOne),
    find: (queries) => pooled(queries, CONCURRENCY, findOne),
  };
}
