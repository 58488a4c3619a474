import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { CLAIM_TTL_MS, type DnsRecord, DnsRecordSchema } from "../core/sending-domains";
import { db, schema } from "../db/client";
import {
  callOptions,
  type ProviderFailure,
  providerFailure,
  resendAccount,
  resendClient,
} from "./resend-account";

export type DomainRow = typeof schema.sendingDomain.$inferSelect;

export type DomainDto = {
  id: string;
  name: string;
  /**
   * Resend's status: not_started, pending, verified, failed, …; "registering" in flight;
   * "awaiting_proof" (a TXT challenge, another team holds it unverified); "lost".
   */
  status: string;
  records: DnsRecord[];
  checkedAt: string | null;
  createdAt: string;
  /** When an unverified claim is released (72 h after it was made); null once verified. */
  expiresAt: string | null;
};

const StoredRecords = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.array(DnsRecordSchema));

export function recordsOf(row: DomainRow): DnsRecord[] {
  const parsed = StoredRecords.safeParse(row.records);
  return parsed.success ? parsed.data : [];
}

export function toDomainDto(row: DomainRow): DomainDto {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    records: recordsOf(row),
    checkedAt: row.checkedAt ? row.checkedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    expiresAt:
      row.status === "verified"
        ? null
        : new Date(row.createdAt.getTime() + CLAIM_TTL_MS).toISOString(),
  };
}

const d = schema.sendingDomain;

/**
 * The claim of `name` that decides who it belongs to, whichever team made it: the verified
 * one, else the oldest claim not lost (a challenger does not own it before it proves DNS).
 */
export async function domainByName(env: Env, name: string): Promise<DomainRow | undefined> {
  const [row] = await db(env)
    .select()
    .from(d)
    .where(and(eq(d.name, name), ne(d.status, "lost")))
    .orderBy(desc(sql`${d.status} = 'verified'`), asc(d.createdAt), asc(d.id))
    .limit(1);
  return row;
}

/** Every team's claim of `name`. */
export async function claimsOf(env: Env, name: string): Promise<DomainRow[]> {
  return db(env).select().from(d).where(eq(d.name, name));
}

/**
 * The first team to prove DNS wins: every other team's unverified claim of the winner's
 * name is marked lost and its Resend registration removed, so it can never verify.
 * Removal failures are logged and left (a lost claim without resend_id is never asked
 * about again; the Resend domain is then the operator's to delete). Returns the names of
 * the teams' claims it marked.
 */
export async function markOtherClaimsLost(env: Env, winner: DomainRow): Promise<DomainRow[]> {
  const losers = (await claimsOf(env, winner.name)).filter(
    (c) => c.teamId !== winner.teamId && c.status !== "verified" && c.status !== "lost",
  );
  const account = resendAccount(env);
  for (const loser of losers) {
    if (account && loser.resendId) {
      const { error } = await resendClient(account).domains.remove(loser.resendId, callOptions());
      if (error && error.statusCode !== 404) {
        console.warn(
          `could not remove the lost claim ${loser.id} of ${loser.name} from Resend (${loser.resendId}): ${error.message}`,
        );
      }
    }
    await db(env)
      .update(d)
      .set({ status: "lost", resendId: null, records: "[]" })
      .where(and(eq(d.id, loser.id), eq(d.teamId, loser.teamId), ne(d.status, "verified")));
  }
  return losers;
}

// Resend's answers cross a boundary: parse only what Beacon uses, keep unknown record kinds.
export const ResendDomainSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  records: z
    .array(
      z.object({
        record: z.string(),
        type: z.string(),
        name: z.string(),
        value: z.string(),
        ttl: z.union([z.string(), z.number()]).optional(),
        priority: z.number().optional(),
        status: z.string().optional(),
      }),
    )
    .optional(),
});
export type ResendDomain = z.infer<typeof ResendDomainSchema>;

export function toRecords(domain: ResendDomain): DnsRecord[] | null {
  if (!domain.records) return null;
  return domain.records.map((r) => ({
    record: r.record,
    type: r.type,
    name: r.name,
    value: r.value,
    ttl: r.ttl === undefined ? undefined : String(r.ttl),
    priority: r.priority,
    status: r.status,
  }));
}

/**
 * Stores what Resend reported for a domain of `teamId`; the updated row. A claim marked
 * lost meanwhile stays lost; the first to verify makes every other team's claim lost.
 */
export async function storeDomainAnswer(
  env: Env,
  row: DomainRow,
  answer: ResendDomain,
  now: Date,
): Promise<DomainRow> {
  const records = toRecords(answer);
  const where = and(eq(d.id, row.id), eq(d.teamId, row.teamId), ne(d.status, "lost"));
  let updated: DomainRow | undefined;
  try {
    [updated] = await db(env)
      .update(d)
      .set({
        resendId: answer.id,
        status: answer.status,
        ...(records ? { records: JSON.stringify(records) } : {}),
        checkedAt: now,
      })
      .where(where)
      .returning();
  } catch (error) {
    // The verified-name index: another team's claim verified a moment earlier and won.
    if (!String(error).includes("UNIQUE constraint failed")) throw error;
    [updated] = await db(env)
      .update(d)
      .set({ status: "lost", records: "[]", checkedAt: now })
      .where(where)
      .returning();
  }
  if (updated && updated.status === "verified" && row.status !== "verified") {
    await markOtherClaimsLost(env, updated);
  }
  if (updated) return updated;
  return (await db(env).query.sendingDomain.findFirst({ where: eq(d.id, row.id) })) ?? row;
}

/** Asks Resend for a registered domain's status and records (GET /domains/:id) and stores it. */
export async function fetchDomain(
  env: Env,
  account: { apiKey: string; baseUrl?: string },
  row: DomainRow,
  now: Date,
): Promise<{ row: DomainRow; failure: ProviderFailure | null }> {
  if (!row.resendId) return { row, failure: null };
  const { data, error } = await resendClient(account).domains.get(row.resendId, callOptions());
  if (error) return { row, failure: providerFailure(error) };
  const parsed = ResendDomainSchema.safeParse(data);
  if (!parsed.success) {
    return {
      row,
      failure: {
        kind: "refused",
        message: "its answer about the domain was not in the expected shape",
      },
    };
  }
  return { row: await storeDomainAnswer(env, row, parsed.data, now), failure: null };
}
