import { and, asc, eq } from "drizzle-orm";
import { Resend } from "resend";
import { z } from "zod";
import {
  assessMailbox,
  type MailboxInput,
  newSyncToken,
  type SendingCheck,
  syncAddress,
} from "../core/mailboxes";
import { db, schema } from "../db/client";
import { config } from "../env";

export type MailboxDto = {
  id: string;
  address: string;
  name: string;
  dailyCap: number | null;
  canSend: boolean;
  capturesReplies: boolean;
  syncAddress: string | null;
  problem: string | null;
  userId: string;
  checkedAt: string | null;
  createdAt: string;
};

type MailboxRow = typeof schema.mailbox.$inferSelect;

function toDto(row: MailboxRow, inboundDomain: string | undefined): MailboxDto {
  return {
    id: row.id,
    address: row.address,
    name: row.name,
    dailyCap: row.dailyCap,
    canSend: row.canSend,
    capturesReplies: row.capturesReplies,
    syncAddress: syncAddress(row.syncToken, inboundDomain),
    problem: row.problem,
    userId: row.userId,
    checkedAt: row.checkedAt ? row.checkedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

// The provider's answer crosses a boundary: parse only what the check needs.
const DomainsPage = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
  has_more: z.boolean().optional(),
});

const MAX_DOMAIN_PAGES = 10;
const PROVIDER_TIMEOUT_MS = 10_000;

/** Asks the transport which sending domains it has verified (the sink verifies everything). */
export async function checkSending(env: Env): Promise<SendingCheck> {
  const cfg = config(env);
  if (!cfg.RESEND_API_KEY) return { kind: "sink" };
  const resend = new Resend(cfg.RESEND_API_KEY, { baseUrl: cfg.RESEND_BASE_URL });
  const domains: { name: string; status: string }[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_DOMAIN_PAGES; page++) {
    const { data, error } = await resend.domains.list(
      after ? { limit: 100, after } : { limit: 100 },
      { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) },
    );
    if (error) {
      // The SDK reports network failures with statusCode null; HTTP errors carry a status.
      return error.statusCode == null
        ? { kind: "unreachable", message: error.message }
        : { kind: "refused", message: `${error.message} (HTTP ${error.statusCode})` };
    }
    const parsed = DomainsPage.safeParse(data);
    if (!parsed.success) {
      return { kind: "refused", message: "its list of domains was not in the expected shape" };
    }
    domains.push(...parsed.data.data);
    const last = parsed.data.data.at(-1);
    if (!parsed.data.has_more || !last) break;
    after = last.id;
  }
  return { kind: "provider", domains };
}

export type CreateMailboxResult =
  | { ok: true; mailbox: MailboxDto }
  | { ok: false; code: "conflict"; message: string };

function duplicate(address: string): CreateMailboxResult {
  return {
    ok: false,
    code: "conflict",
    message: `The team already has a mailbox for ${address}.`,
  };
}

/** Adds a mailbox owned by `userId`, checked against the transport right away. */
export async function createMailbox(
  env: Env,
  owner: { teamId: string; userId: string },
  input: MailboxInput,
): Promise<CreateMailboxResult> {
  const d = db(env);
  const existing = await d.query.mailbox.findFirst({
    where: and(eq(schema.mailbox.teamId, owner.teamId), eq(schema.mailbox.address, input.address)),
    columns: { id: true },
  });
  if (existing) return duplicate(input.address);
  const cfg = config(env);
  const health = assessMailbox(input.address, await checkSending(env), cfg.INBOUND_DOMAIN);
  try {
    const [row] = await d
      .insert(schema.mailbox)
      .values({
        id: crypto.randomUUID(),
        teamId: owner.teamId,
        userId: owner.userId,
        address: input.address,
        name: input.name,
        dailyCap: input.dailyCap ?? null,
        syncToken: newSyncToken((b) => crypto.getRandomValues(b)),
        ...health,
        checkedAt: new Date(),
        // Milliseconds, so that mailboxes added within one second keep their order.
        createdAt: new Date(),
      })
      .returning();
    return { ok: true, mailbox: toDto(row, cfg.INBOUND_DOMAIN) };
  } catch (error) {
    // Two adds of one address racing past the check above meet the unique index.
    if (String(error).includes("UNIQUE constraint failed: mailbox.team_id, mailbox.address")) {
      return duplicate(input.address);
    }
    throw error;
  }
}

/** Every mailbox of the team, oldest first. */
export async function listMailboxes(env: Env, teamId: string): Promise<MailboxDto[]> {
  const rows = await db(env).query.mailbox.findMany({
    where: eq(schema.mailbox.teamId, teamId),
    orderBy: [asc(schema.mailbox.createdAt), asc(schema.mailbox.id)],
  });
  const inbound = config(env).INBOUND_DOMAIN;
  return rows.map((r) => toDto(r, inbound));
}

/** Checks a mailbox of the team again; null when the team has no such mailbox. */
export async function resyncMailbox(
  env: Env,
  teamId: string,
  id: string,
): Promise<MailboxDto | null> {
  const d = db(env);
  const row = await d.query.mailbox.findFirst({
    where: and(eq(schema.mailbox.id, id), eq(schema.mailbox.teamId, teamId)),
  });
  if (!row) return null;
  const cfg = config(env);
  const health = assessMailbox(row.address, await checkSending(env), cfg.INBOUND_DOMAIN);
  const [updated] = await d
    .update(schema.mailbox)
    .set({ ...health, checkedAt: new Date() })
    .where(and(eq(schema.mailbox.id, id), eq(schema.mailbox.teamId, teamId)))
    .returning();
  return updated ? toDto(updated, cfg.INBOUND_DOMAIN) : null;
}
