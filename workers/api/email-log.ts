import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { EmailStatusSchema } from "../core/engine/statuses";
import { campaignStub } from "../data/campaigns";
import { db, schema } from "../db/client";
import { errorResponse, notFound } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import { actorRef, failureResponse } from "./actor";
import type { ApiContext, ApiRouter } from "./router";

const EmailLogQuerySchema = z.object({
  campaignId: z.string().min(1).optional(),
  personId: z.string().min(1).optional(),
  status: EmailStatusSchema.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const RetrySchema = z.object({ bypassValidation: z.boolean().optional() }).default({});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function emailLogRow(r: typeof schema.emailLog.$inferSelect) {
  return {
    id: r.id,
    campaignId: r.campaignId,
    personId: r.personId,
    stageIndex: r.stageIndex,
    stageId: r.stageId,
    channel: r.channel,
    mailboxId: r.mailboxId,
    to: r.to,
    subject: r.subject,
    status: r.status,
    scheduledAt: iso(r.scheduledAt),
    sentAt: iso(r.sentAt),
    messageId: r.messageId,
    providerId: r.providerId,
    reason: r.reason ?? undefined,
    openedAt: iso(r.openedAt) ?? undefined,
    clickedAt: iso(r.clickedAt) ?? undefined,
    downloadedAt: iso(r.downloadedAt) ?? undefined,
    repliedAt: iso(r.repliedAt) ?? undefined,
  };
}

const Cursor = z.tuple([z.number(), z.string()]);

function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const parsed = Cursor.safeParse(JSON.parse(atob(cursor)));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw errorResponse(422, "validation_failed", "cursor: not one this list gave out", [
    { path: "cursor", message: "Not one this list gave out" },
  ]);
}

async function messageOfTeam(c: ApiContext) {
  const row = await db(c.env).query.emailLog.findFirst({
    where: and(eq(schema.emailLog.id, c.params.id), eq(schema.emailLog.teamId, c.actor.teamId)),
  });
  if (!row) throw notFound("No message with this id in your team's Email Log.");
  return row;
}

/** /api/v1/email-log routes (DESIGN.md §3): newest first, keyset pagination. */
export function registerEmailLogRoutes(api: ApiRouter): void {
  api.on("GET", "/api/v1/email-log", async (c) => {
    const q = readQuery(c.url, EmailLogQuerySchema);
    const t = schema.emailLog;
    const where: SQL[] = [eq(t.teamId, c.actor.teamId)];
    if (q.campaignId) where.push(eq(t.campaignId, q.campaignId));
    if (q.personId) where.push(eq(t.personId, q.personId));
    if (q.status) where.push(eq(t.status, q.status));
    const after = decodeCursor(q.cursor);
    if (after) {
      const keyset = or(
        lt(t.createdAt, after[0]),
        and(eq(t.createdAt, after[0]), lt(t.id, after[1])),
      );
      if (keyset) where.push(keyset);
    }
    const rows = await db(c.env)
      .select()
      .from(t)
      .where(and(...where))
      .orderBy(desc(t.createdAt), desc(t.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return Response.json({
      items: page.map(emailLogRow),
      nextCursor:
        rows.length > q.limit && last ? btoa(JSON.stringify([last.createdAt, last.id])) : undefined,
    });
  });

  api.on("POST", "/api/v1/email-log/:id/cancel", async (c) => {
    const row = await messageOfTeam(c);
    const stub = await campaignStub(c.env, row.campaignId);
    const result = await stub.cancelMessage(row.id, actorRef(c.actor));
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });

  api.on("POST", "/api/v1/email-log/:id/retry", async (c) => {
    const row = await messageOfTeam(c);
    const text = await c.request.clone().text();
    const body = text.trim() === "" ? {} : await readJsonBody(c.request, RetrySchema, "The retry");
    const stub = await campaignStub(c.env, row.campaignId);
    const result = await stub.retryMessage(
      row.id,
      body.bypassValidation ?? false,
      actorRef(c.actor),
    );
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });
}
