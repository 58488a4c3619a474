import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { type DnsRecord, DnsRecordSchema } from "../core/sending-domains";
import { db, schema } from "../db/client";
import { callOptions, type ProviderFailure, providerFailure, resendClient } from "./resend-account";

export type DomainRow = typeof schema.sendingDomain.$inferSelect;

export type DomainDto = {
  id: string;
  name: string;
  /** Resend's status: not_started, pending, verified, failed, …; "registering" in flight. */
  status: string;
  records: DnsRecord[];
  checkedAt: string | null;
  createdAt: string;
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
  };
}

/** The registration of `name` in Beacon, whichever team holds it. */
export async function domainByName(env: Env, name: string): Promise<DomainRow | undefined> {
  return db(env).query.sendingDomain.findFirst({ where: eq(schema.sendingDomain.name, name) });
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

/** Stores what Resend reported for a domain of `teamId`; the updated row. */
export async function storeDomainAnswer(
  env: Env,
  row: DomainRow,
  answer: ResendDomain,
  now: Date,
): Promise<DomainRow> {
  const records = toRecords(answer);
  const [updated] = await db(env)
    .update(schema.sendingDomain)
    .set({
      resendId: answer.id,
      status: answer.status,
      ...(records ? { records: JSON.stringify(records) } : {}),
      checkedAt: now,
    })
    .where(and(eq(schema.sendingDomain.id, row.id), eq(schema.sendingDomain.teamId, row.teamId)))
    .returning();
  return updated ?? row;
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
