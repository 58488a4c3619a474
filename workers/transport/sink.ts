import { jsonChunks } from "../db/json-ids";
import { limitD1 } from "../db/limits";
import type { OutgoingEmail, OutgoingSms, SendResult, Transport } from "./types";

type SinkRow = [
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  string,
  string,
  number,
];

/** The rows bound as one JSON array per 1.5 MB (json-ids.ts): one statement per batch. */
async function store(d1Raw: D1Database, rows: SinkRow[]) {
  const d1 = limitD1(d1Raw);
  const statements = jsonChunks(rows).map((json) =>
    d1
      .prepare(
        `INSERT INTO sink_message (id, team_id, channel, "to", "from", subject, text, headers, created_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
           value ->> 6, value ->> 7, value ->> 8
         FROM json_each(?) WHERE true ON CONFLICT(id) DO NOTHING`,
      )
      .bind(json),
  );
  if (statements.length > 0) await d1.batch(statements);
}

/**
 * The local transport used when no provider is configured: every message is written to
 * D1's sink_message (idempotent by message id, so a resend stores nothing twice).
 */
export function sinkTransport(d1: D1Database, now: () => number): Transport {
  return {
    async sendEmails(emails: OutgoingEmail[]): Promise<SendResult[]> {
      await store(
        d1,
        emails.map((e) => [
          e.id,
          e.teamId,
          "email",
          e.to,
          e.from,
          e.subject,
          e.text,
          JSON.stringify({ ...e.headers, ...(e.replyTo ? { "Reply-To": e.replyTo } : {}) }),
          now(),
        ]),
      );
      return emails.map((e) => ({ id: e.id, ok: true, providerId: `sink_${e.id}` }));
    },
    async sendSms(messages: OutgoingSms[]): Promise<SendResult[]> {
      await store(
        d1,
        messages.map((m) => [m.id, m.teamId, "sms", m.to, null, null, m.text, "{}", now()]),
      );
      return messages.map((m) => ({ id: m.id, ok: true, providerId: `sink_${m.id}` }));
    },
  };
}
