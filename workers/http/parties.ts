import { and, eq } from "drizzle-orm";
import { getSession } from "../auth/guards";
import { db, schema } from "../db/client";
import { errorResponse } from "./errors";

/** The team that owns a party room, or null when the room names nothing. */
async function roomTeam(env: Env, party: string, room: string): Promise<string | null> {
  if (party === "account") return room;
  if (party === "campaign") {
    const row = await db(env).query.campaign.findFirst({
      where: eq(schema.campaign.id, room),
      columns: { teamId: true },
    });
    return row?.teamId ?? null;
  }
  return null;
}

/**
 * Authorizes a live connection from the session cookie: the user must be a member of
 * the team that owns the room. Passes the user and team on to the Durable Object.
 */
export async function authorizeParty(
  request: Request,
  env: Env,
  party: string,
  room: string,
): Promise<Request | Response> {
  const session = await getSession(request, env);
  if (!session) return errorResponse(401, "unauthorized", "Sign in to watch live updates.");
  const teamId = await roomTeam(env, party, room);
  const membership =
    teamId &&
    (await db(env).query.member.findFirst({
      where: and(
        eq(schema.member.userId, session.user.id),
        eq(schema.member.organizationId, teamId),
      ),
      columns: { role: true },
    }));
  if (!teamId || !membership) {
    return errorResponse(401, "unauthorized", "This live feed belongs to another team.");
  }
  const headers = new Headers(request.headers);
  headers.set("X-Beacon-User", session.user.id);
  headers.set("X-Beacon-Team", teamId);
  // The name teammates see in presence lists (header values must be ISO-8859-1: encoded).
  headers.set("X-Beacon-User-Name", encodeURIComponent(session.user.name || session.user.email));
  return new Request(request, { headers });
}
