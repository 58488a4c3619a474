import { and, desc, eq, isNull } from "drizzle-orm";
import { type Db, schema } from "../db/client";

const KEY_PREFIX = "bk_";

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of an API key: keys are 256 random bits, so a fast hash is the right one. */
export async function hashApiKey(key: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

export function generateApiKey(): string {
  return KEY_PREFIX + toHex(crypto.getRandomValues(new Uint8Array(32)));
}

export type ApiKeyIdentity = { keyId: string; teamId: string; userId: string };

/** Stores a key (given, or freshly generated) for a user of a team; returns it once. */
export async function createApiKey(
  d: Db,
  input: { teamId: string; userId: string; name: string; key?: string },
): Promise<{ id: string; key: string }> {
  const key = input.key ?? generateApiKey();
  const id = crypto.randomUUID();
  await d.insert(schema.apiKey).values({
    id,
    teamId: input.teamId,
    userId: input.userId,
    name: input.name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    keyHash: await hashApiKey(key),
  });
  return { id, key };
}

/**
 * The team and user a live key acts for, or null. A key outlives nothing: its user must
 * still be a member of its team (one query: every API request pays for it).
 */
export async function verifyApiKey(d: Db, key: string): Promise<ApiKeyIdentity | null> {
  const [row] = await d
    .select({ keyId: schema.apiKey.id, teamId: schema.apiKey.teamId, userId: schema.apiKey.userId })
    .from(schema.apiKey)
    .innerJoin(
      schema.member,
      and(
        eq(schema.member.organizationId, schema.apiKey.teamId),
        eq(schema.member.userId, schema.apiKey.userId),
      ),
    )
    .where(and(eq(schema.apiKey.keyHash, await hashApiKey(key)), isNull(schema.apiKey.revokedAt)))
    .limit(1);
  return row ?? null;
}

export function listApiKeys(d: Db, teamId: string) {
  return d.query.apiKey.findMany({
    where: and(eq(schema.apiKey.teamId, teamId), isNull(schema.apiKey.revokedAt)),
    columns: { id: true, name: true, prefix: true, createdAt: true, userId: true },
    orderBy: desc(schema.apiKey.createdAt),
  });
}

export async function revokeApiKey(d: Db, teamId: string, id: string): Promise<boolean> {
  const res = await d
    .update(schema.apiKey)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(schema.apiKey.id, id),
        eq(schema.apiKey.teamId, teamId),
        isNull(schema.apiKey.revokedAt),
      ),
    )
    .returning({ id: schema.apiKey.id });
  return res.length > 0;
}
