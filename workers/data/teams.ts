import { eq } from "drizzle-orm";
import { getServerByName } from "partyserver";
import { getAuth } from "../auth/auth";
import { TeamNameSchema, type TeamSettings } from "../core/team";
import { db, schema } from "../db/client";

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `${base || "team"}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Creates a team with its creator as owner and default settings. */
export async function createTeam(env: Env, userId: string, name: string): Promise<string> {
  const org = await getAuth(env).api.createOrganization({
    body: { name: TeamNameSchema.parse(name), slug: slugify(name), userId },
  });
  if (!org) throw new Error("better-auth did not create the organization");
  await db(env).insert(schema.teamSettings).values({ teamId: org.id }).onConflictDoNothing();
  return org.id;
}

export async function getTeamSettings(env: Env, teamId: string): Promise<TeamSettings> {
  const row = await db(env).query.teamSettings.findFirst({
    where: eq(schema.teamSettings.teamId, teamId),
  });
  return {
    timeZone: row?.timeZone ?? "UTC",
    dailyEmailLimit: row?.dailyEmailLimit ?? 5000,
    onLimit: row?.onLimit ?? "defer",
  };
}

export async function saveTeamSettings(env: Env, teamId: string, settings: TeamSettings) {
  await db(env)
    .insert(schema.teamSettings)
    .values({ teamId, ...settings, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: schema.teamSettings.teamId,
      set: { ...settings, updatedAt: new Date() },
    });
  // The Account DO enforces the limit: it must hear of the change at once.
  await (await getServerByName(env.Account, teamId)).setLimits(settings);
}

/** The teams a user belongs to, with their role. */
export async function listUserTeams(env: Env, userId: string) {
  const rows = await db(env)
    .select({
      id: schema.organization.id,
      name: schema.organization.name,
      role: schema.member.role,
    })
    .from(schema.member)
    .innerJoin(schema.organization, eq(schema.member.organizationId, schema.organization.id))
    .where(eq(schema.member.userId, userId))
    .orderBy(schema.organization.name);
  return rows;
}
