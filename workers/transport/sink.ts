import { limitD1 } from "../db/limits";
import type { OutgoingEmail, OutgoingSms, SendResult, Transport } from "./types";

const COLUMNS = 9;

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

async function store(d1Raw: D1Database, rows: SinkRow[]) {
  const d1 = limitD1(d1Raw);
  const per = Math.floor(100 / COLUMNS);
  const tuple = `(${Array(COLUMNS).fill("?").join(",")})`;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    statements.push(
      d1
        .prepare(
          `INSERT INTO sink_message (id, team_id, channel, "to", "from", subject, text, headers, created_at)
           VALUES ${chunk.map(() => tuple).join(",")} ON CONFLICT(id) DO NOTHING`,
        )
        .bind(...chunk.flat()),
    );
  }
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
