import { limitD1 } from "../db/limits";
import type { OutgoingSms, Transport } from "./types";

/** A provider's answer to one SMS. */
export type SmsResult =
  | { id: string; ok: true; providerId: string | null }
  | {
      id: string;
      ok: false;
      kind: "permanent";
      /** sms_stop: the recipient texted STOP to our number, so the provider refuses them. */
      reason: "invalid_recipient" | "provider_rejected" | "sms_stop";
      message: string;
    }
  | {
      id: string;
      ok: false;
      kind: "transient";
      /** True when the provider may have sent it anyway (5xx, timeout, dropped connection). */
      unknown: boolean;
      message: string;
    }
  | { id: string; ok: false; kind: "rate_limited"; message: string; retryAfterMs?: number };

/** Whether a message whose send had an unknown outcome is in the provider's records. */
export type SmsLookup =
  | { id: string; found: true; providerId: string | null }
  | { id: string; found: false }
  /**
   * The provider could not be asked, or its answer was unreadable: nobody knows. `lasting`:
   * asking again will not tell either (the list is too long to read through).
   */
  | { id: string; found: null; message: string; lasting?: boolean };

export type SmsQuery = {
  sms: OutgoingSms;
  /** When we first tried to send it (the engine's clock). */
  firstTryAt: number;
  /** Provider ids other messages of ours already claim: never mistaken for this one. */
  claimed: ReadonlySet<string>;
};

/**
 * How SMS leave. Providers without idempotency keys (Twilio) cannot be asked twice
 * safely, so an unknown outcome is settled by `find` before anything is sent again.
 */
export interface SmsTransport {
  send(messages: OutgoingSms[]): Promise<SmsResult[]>;
  find(queries: SmsQuery[]): Promise<SmsLookup[]>;
}

/**
 * The local sink for SMS (no provider configured): it stores by message id, so it can
 * tell exactly which messages it holds.
 */
export function sinkSmsTransport(d1: D1Database, sink: Transport): SmsTransport {
  return {
    async send(messages) {
      const results = await sink.sendSms(messages);
      return results.map(
        (r): SmsResult =>
          r.ok
            ? { id: r.id, ok: true, providerId: r.providerId }
            : r.kind === "permanent"
              ? {
                  id: r.id,
                  ok: false,
                  kind: "permanent",
                  reason: r.reason ?? "provider_rejected",
                  message: r.message,
                }
              : r.kind === "rate_limited"
                ? {
                    id: r.id,
                    ok: false,
                    kind: "rate_limited",
                    message: r.message,
                    retryAfterMs: r.retryAfterMs,
                  }
                : { id: r.id, ok: false, kind: "transient", unknown: true, message: r.message },
      );
    },
    async find(queries) {
      if (queries.length === 0) return [];
      const db = limitD1(d1);
      const held = new Set<string>();
      for (let i = 0; i < queries.length; i += 90) {
        const part = queries.slice(i, i + 90).map((q) => q.sms.id);
        const rows = await db
          .prepare(
            `SELECT id FROM sink_message WHERE channel = 'sms' AND id IN (${part.map(() => "?").join(",")})`,
          )
          .bind(...part)
          .all<{ id: string }>();
        for (const r of rows.results) held.add(r.id);
      }
      return queries.map(
        (q): SmsLookup =>
          held.has(q.sms.id)
            ? { id: q.sms.id, found: true, providerId: `sink_${q.sms.id}` }
            : { id: q.sms.id, found: false },
      );
    },
  };
}
