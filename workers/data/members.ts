import { isAPIError } from "better-auth/api";
import { and, asc, eq, gt } from "drizzle-orm";
import { getAuth } from "../auth/auth";
import type { TeamRole } from "../core/settings";
import { db, schema } from "../db/client";
import { accountStub, campaignStub } from "./campaigns";

export type MemberRow = {
  id: string;
  userId: string;
  name: string;
  email: string;
  role: string;
  createdAt: Date;
};

/** The team's members with their names, oldest first. */
export function listMembers(env: Env, teamId: string): Promise<MemberRow[]> {
  return db(env)
    .select({
      id: schema.member.id,
      userId: schema.member.userId,
      name: schema.user.name,
      email: schema.user.email,
      role: schema.member.role,
      createdAt: schema.member.createdAt,
    })
    .from(schema.member)
    .innerJoin(schema.user, eq(schema.member.userId, schema.user.id))
    .where(eq(schema.member.organizationId, teamId))
    .orderBy(asc(schema.member.createdAt), asc(schema.member.id));
}

/** A member of this team by member id, or null (also for another team's member). */
export async function findTeamMember(env: Env, teamId: string, memberId: string) {
  const row = await db(env).query.member.findFirst({
    where: and(eq(schema.member.id, memberId), eq(schema.member.organizationId, teamId)),
  });
  return row ?? null;
}

/** Invitations still waiting for an answer, newest first. */
export function listPendingInvitations(env: Env, teamId: string, now: Date) {
  return db(env)
    .select({
      id: schema.invitation.id,
      email: schema.invitation.email,
      role: schema.invitation.role,
      expiresAt: schema.invitation.expiresAt,
      inviterName: schema.user.name,
    })
    .from(schema.invitation)
    .innerJoin(schema.user, eq(schema.invitation.inviterId, schema.user.id))
    .where(
      and(
        eq(schema.invitation.organizationId, teamId),
        eq(schema.invitation.status, "pending"),
        gt(schema.invitation.expiresAt, now),
      ),
    )
    .orderBy(asc(schema.invitation.createdAt));
}

/** An invitation with its team's name, for the /invite page (anyone with the link sees it). */
export async function findInvitation(env: Env, id: string) {
  const [row] = await db(env)
    .select({
      id: schema.invitation.id,
      email: schema.invitation.email,
      role: schema.invitation.role,
      status: schema.invitation.status,
      expiresAt: schema.invitation.expiresAt,
      teamId: schema.invitation.organizationId,
      teamName: schema.organization.name,
    })
    .from(schema.invitation)
    .innerJoin(schema.organization, eq(schema.invitation.organizationId, schema.organization.id))
    .where(eq(schema.invitation.id, id))
    .limit(1);
  return row ?? null;
}

export type AuthOutcome<T = null> = { ok: true; value: T } | { ok: false; message: string };

/** Runs a better-auth call and turns its APIError into a message a person can read. */
async function attempt<T>(run: () => Promise<T>, fallback: string): Promise<AuthOutcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (isAPIError(error)) {
      const message = typeof error.body?.message === "string" ? error.body.message : fallback;
      return { ok: false, message: humanize(message) };
    }
    throw error;
  }
}

// better-auth's messages are fine but start lower-case or end without a stop.
function humanize(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Creates an invitation (no mail is sent: the inviter shares its link). */
export function inviteMember(
  env: Env,
  request: Request,
  teamId: string,
  input: { email: string; role: "member" | "admin" },
) {
  return attempt(async () => {
    const inv = await getAuth(env).api.createInvitation({
      body: { email: input.email, role: input.role, organizationId: teamId },
      headers: request.headers,
    });
    return { id: inv.id, email: inv.email };
  }, "Could not create the invitation.");
}

export function cancelInvitation(env: Env, request: Request, invitationId: string) {
  return attempt(async () => {
    await getAuth(env).api.cancelInvitation({ body: { invitationId }, headers: request.headers });
    return null;
  }, "Could not cancel the invitation.");
}

export function changeMemberRole(
  env: Env,
  request: Request,
  teamId: string,
  input: { memberId: string; role: TeamRole },
) {
  return attempt(async () => {
    await getAuth(env).api.updateMemberRole({
      body: { memberId: input.memberId, role: input.role, organizationId: teamId },
      headers: request.headers,
    });
    return null;
  }, "Could not change the role.");
}

export function removeMember(env: Env, request: Request, teamId: string, memberId: string) {
  return attempt(async () => {
    const member = await findTeamMember(env, teamId, memberId);
    await getAuth(env).api.removeMember({
      body: { memberIdOrEmail: memberId, organizationId: teamId },
      headers: request.headers,
    });
    if (member) await disconnectEverywhere(env, teamId, member.userId);
    return null;
  }, "Could not remove the member.");
}

/**
 * A removed member's open live connections to the team's campaigns are closed at once
 * (new ones are refused by the membership check). One that cannot be reached is logged;
 * its socket still gets nothing it could not already read, and closes on its next check.
 */
async function disconnectEverywhere(env: Env, teamId: string, userId: string) {
  const campaigns = await db(env)
    .select({ id: schema.campaign.id })
    .from(schema.campaign)
    .where(eq(schema.campaign.teamId, teamId));
  const results = await Promise.allSettled([
    ...campaigns.map(async (c) => (await campaignStub(env, c.id)).disconnectUser(userId)),
    // The team feed too: they get nothing more of the team's lists or usage.
    (await accountStub(env, teamId)).disconnectUser(userId),
  ]);
  for (const [i, r] of results.entries()) {
    if (r.status === "rejected") {
      console.warn(
        "could not close a removed member's live connections",
        campaigns[i]?.id ?? `account ${teamId}`,
        r.reason,
      );
    }
  }
}

export function acceptInvitation(env: Env, request: Request, invitationId: string) {
  return attempt(async () => {
    const res = await getAuth(env).api.acceptInvitation({
      body: { invitationId },
      headers: request.headers,
    });
    return { teamId: res?.member.organizationId ?? null };
  }, "Could not accept the invitation.");
}
