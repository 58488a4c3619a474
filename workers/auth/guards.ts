import { and, asc, eq } from "drizzle-orm";
import { db, schema } from "../db/client";
import { errorResponse } from "../http/errors";
import { verifyApiKey } from "./api-keys";
import { getAuth } from "./auth";

export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: a signed-in user, or an API key acting for its user. */
export type Actor = {
  kind: "user" | "api_key";
  userId: string;
  teamId: string;
  role: Role;
  /** The API key's id when kind is "api_key". */
  keyId?: string;
};

function asRole(value: string): Role {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : "member";
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export async function getSession(request: Request, env: Env) {
  return getAuth(env).api.getSession({ headers: request.headers });
}

export type SessionInfo = NonNullable<Awaited<ReturnType<typeof getSession>>>;

function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const to = url.pathname + url.search;
  const target = to === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(to)}`;
  return new Response(null, { status: 302, headers: { Location: target } });
}

/** The signed-in user, or a redirect to the sign-in page (thrown). */
export async function requireUser(request: Request, env: Env): Promise<SessionInfo> {
  const session = await getSession(request, env);
  if (!session) throw loginRedirect(request);
  return session;
}

/** The user's membership in a team: the session's active team, else their first. */
export async function findMembership(env: Env, userId: string, preferredTeamId?: string | null) {
  const d = db(env);
  if (preferredTeamId) {
    const m = await d.query.member.findFirst({
      where: and(
        eq(schema.member.userId, userId),
        eq(schema.member.organizationId, preferredTeamId),
      ),
    });
    if (m) return m;
  }
  return d.query.member.findFirst({
    where: eq(schema.member.userId, userId),
    orderBy: asc(schema.member.createdAt),
  });
}

/**
 * A signed-in member of a team with at least `minRole`; throws a redirect when signed out
 * or teamless, and 403 when the role is too low.
 */
export async function requireMember(
  request: Request,
  env: Env,
  minRole: Role = "member",
): Promise<Actor & { session: SessionInfo }> {
  const session = await requireUser(request, env);
  const membership = await findMembership(
    env,
    session.user.id,
    session.session.activeOrganizationId,
  );
  if (!membership) {
    throw new Response(null, { status: 302, headers: { Location: "/teams/new" } });
  }
  const role = asRole(membership.role);
  if (!roleAtLeast(role, minRole)) {
    throw new Response(`Only a team ${minRole} or above can do this.`, { status: 403 });
  }
  return {
    kind: "user",
    userId: session.user.id,
    teamId: membership.organizationId,
    role,
    session,
  };
}

/** The API key of `Authorization: Bearer <key>`, or a 401 JSON response (thrown). */
export async function requireApiKey(request: Request, env: Env): Promise<Actor> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw errorResponse(401, "unauthorized", "Send an API key as 'Authorization: Bearer <key>'.");
  }
  const identity = await verifyApiKey(db(env), match[1]);
  if (!identity) throw errorResponse(401, "unauthorized", "The API key is unknown or revoked.");
  const membership = await findMembership(env, identity.userId, identity.teamId);
  return {
    kind: "api_key",
    userId: identity.userId,
    teamId: identity.teamId,
    keyId: identity.keyId,
    role: asRole(membership?.role ?? "member"),
  };
}
