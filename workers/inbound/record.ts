import { and, eq } from "drizzle-orm";
import { db, schema } from "../db/client";

export type InboundRecord = typeof schema.inboundMail.$inferInsert;

/** Mail already applied for this team (the same Message-ID arriving twice, e.g. through sync). */
export async function alreadyApplied(env: Env, teamId: string, messageId: string | null) {
  if (!messageId) return false;
  const [row] = await db(env)
    .select({ id: schema.inboundMail.id })
    .from(schema.inboundMail)
    .where(and(eq(schema.inboundMail.teamId, teamId), eq(schema.inboundMail.messageId, messageId)))
    .limit(1);
  return row !== undefined;
}

/** Logs the mail (first arrival wins for a team's Message-ID). */
export async function recordInbound(env: Env, row: InboundRecord) {
  await db(env).insert(schema.inboundMail).values(row).onConflictDoNothing();
}

/** Keeps the raw message of mail that matched nothing, for diagnosis (pruned after 30 days). */
export async function keepRaw(env: Env, id: string, raw: Uint8Array): Promise<string | null> {
  const key = `unmatched/${id}.eml`;
  try {
    await env.MAIL.put(key, raw, { httpMetadata: { contentType: "message/rfc822" } });
    return key;
  } catch (error) {
    console.warn("inbound: could not keep the raw message", id, error);
    return null;
  }
}
