import { z } from "zod";
import { parseRetryAfter } from "../core/engine/retries";
import { resendClient } from "./resend-client";
import type { OutgoingEmail, OutgoingSms, SendResult, Transport } from "./types";

/** How long the Worker waits for Resend before treating the request as timed out. */
export const RESEND_TIMEOUT_MS = 10_000;
/** A request slot at most this far away is waited for in-process; a further one is held. */
export const MAX_PACING_WAIT_MS = 2_000;
/**
 * How long before its held slot a paced batch comes back. An alarm that fires up to this
 * late still finds the slot ahead; the in-process wait covers the rest (the lead is below
 * MAX_PACING_WAIT_MS, so a caller back on time always gets to use its slot).
 */
export const PACING_LEAD_MS = 1_500;

/** This provider key's request slots (the Pacer), asked for one request (holder) at a time. */
export type Pacing = {
  acquire(holder: string, now: number): Promise<{ slot: number; use: boolean; until: number }>;
  handBack(holder: string, now: number): Promise<void>;
  /** Takes the holder's slot without using it yet (a later acquire uses it); answers its time. */
  hold(holder: string, now: number): Promise<number>;
};

const ErrorSchema = z.object({
  name: z.string().optional(),
  message: z.string().optional(),
  statusCode: z.number().nullable().optional(),
});

const BatchAnswerSchema = z.object({
  data: z.array(z.object({ id: z.string() })),
  errors: z.array(z.object({ index: z.number(), message: z.string() })).optional(),
});

function toApi(e: OutgoingEmail) {
  return {
    from: e.from,
    to: [e.to],
    subject: e.subject,
    text: e.text,
    html: e.html,
    ...(e.replyTo ? { replyTo: e.replyTo } : {}),
    headers: e.headers,
  };
}

function transient(
  emails: OutgoingEmail[],
  message: string,
  kind: "transient" | "rate_limited",
  retryAfterMs?: number,
): SendResult[] {
  return emails.map((e) => ({ id: e.id, ok: false, kind, reason: null, message, retryAfterMs }));
}

/** A provider's refusal of one member: an address it will not take, or any other rejection. */
function rejection(id: string, message: string): SendResult {
  const recipient = /recipient|to.*(invalid|address)|invalid.*(email|address)/i.test(message);
  return {
    id,
    ok: false,
    kind: "permanent",
    reason: recipient ? "invalid_recipient" : "provider_rejected",
    message,
  };
}

/**
 * Resend through its SDK. Emails due together go in one batch request (≤ 100) under the
 * batch's persisted idempotency key, with permissive validation so each member's answer
 * applies on its own; one email goes as a single send under its own key. The SDK returns
 * errors instead of throwing: every answer is checked.
 */
export function resendTransport(opts: {
  apiKey: string;
  baseUrl?: string;
  pacing: Pacing;
  now: () => number;
  timeoutMs?: number;
}): Transport {
  const resend = resendClient(opts);
  const timeoutMs = opts.timeoutMs ?? RESEND_TIMEOUT_MS;

  /** Waits for the holder's request slot; a far one answers when to come back for it. */
  async function paced(holder: string): Promise<number | null> {
    const { slot, use, until } = await opts.pacing.acquire(holder, opts.now());
    if (!use) return slot - PACING_LEAD_MS;
    // Read the clock again: the time the Pacer took to answer is part of the wait.
    const wait = slot - opts.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Woken too late for the slot's second (a busy isolate): sending now could make that
    // second one request too many. Ask again for a new slot instead.
    if (opts.now() > until) return opts.now();
    return null;
  }

  function classify(
    emails: OutgoingEmail[],
    error: unknown,
    headers: Record<string, string> | null,
  ): SendResult[] {
    const e = ErrorSchema.safeParse(error);
    const status = e.success ? (e.data.statusCode ?? null) : null;
    const name = e.success ? (e.data.name ?? "") : "";
    const message = e.success ? (e.data.message ?? name) : "Unknown error from the provider";
    if (status === 429 || name === "rate_limit_exceeded") {
      const after = parseRetryAfter(headers?.["retry-after"] ?? null, opts.now());
      return transient(emails, message, "rate_limited", after ?? undefined);
    }
    // Both 409s are ours, never the recipient's: try again (a real mismatch ends as Too Many Retries).
    if (name === "concurrent_idempotent_requests" || name === "invalid_idempotent_request") {
      return transient(emails, message, "transient");
    }
    if (status === null || status >= 500) return transient(emails, message, "transient");
    return emails.map((m) => rejection(m.id, `${name}: ${message}`));
  }

  return {
    async sendEmails(emails: OutgoingEmail[], batchKey: string): Promise<SendResult[]> {
      if (emails.length === 0) return [];
      // The batch key names this request: asking again for it gets the slot it holds.
      const at = await paced(batchKey);
      if (at !== null) {
        return emails.map((e) => ({
          id: e.id,
          ok: false,
          kind: "paced",
          at,
          reason: null,
          message: "Waiting for a request slot on this provider key",
        }));
      }
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        if (emails.length === 1) {
          const [email] = emails;
          const one = await resend.emails.send(toApi(email), { idempotencyKey: batchKey, signal });
          if (one.error || !one.data) return classify(emails, one.error, one.headers);
          return [{ id: email.id, ok: true, providerId: one.data.id }];
        }
        const res = await resend.batch.send(emails.map(toApi), {
          idempotencyKey: batchKey,
          batchValidation: "permissive",
          signal,
        });
        if (res.error || !res.data) return classify(emails, res.error, res.headers);
        return members(emails, res.data);
      } catch (error) {
        // A timeout or a dropped connection: the outcome is unknown, so the same key goes again.
        return transient(emails, `No answer from the provider: ${String(error)}`, "transient");
      }
    },
    async sendSms(_messages: OutgoingSms[]): Promise<SendResult[]> {
      throw new Error("Resend does not send SMS; use the SMS transport");
    },
    async handBack(batchKey: string): Promise<void> {
      await opts.pacing.handBack(batchKey, opts.now());
    },
    async hold(batchKey: string): Promise<number> {
      return opts.pacing.hold(batchKey, opts.now());
    },
  };
}

/** A permissive batch's answer, member by member (errors by index; ids in order of the rest). */
function members(emails: OutgoingEmail[], data: unknown): SendResult[] {
  const answer = BatchAnswerSchema.safeParse(data);
  if (!answer.success) return transient(emails, "Unreadable batch answer", "transient");
  const failed = new Map((answer.data.errors ?? []).map((e) => [e.index, e.message]));
  const ids = [...answer.data.data];
  return emails.map((email, index): SendResult => {
    const message = failed.get(index);
    if (message !== undefined) return rejection(email.id, message);
    const next = ids.shift();
    return next
      ? { id: email.id, ok: true, providerId: next.id }
      : { id: email.id, ok: false, kind: "transient", reason: null, message: "No id returned" };
  });
}
