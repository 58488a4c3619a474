import { env, exports } from "cloudflare:workers";
import { createApiKey } from "@workers/auth/api-keys";
import { getAuth } from "@workers/auth/auth";
import { createTeam } from "@workers/data/teams";
import { db } from "@workers/db/client";

/** A signed-in user of a team with an API key of their own. */
export type TestUser = {
  teamId: string;
  userId: string;
  memberId: string;
  email: string;
  /** The `Cookie` header of their session. */
  cookie: string;
  key: string;
};

function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Signs a new user up through better-auth (≈100-200 ms: real password hashing). */
export async function signUpUser(
  label: string,
): Promise<{ userId: string; email: string; cookie: string }> {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const res = await getAuth(env).api.signUpEmail({
    body: {
      name: `${label[0].toUpperCase()}${label.slice(1)} User`,
      email,
      password: "password123",
    },
    asResponse: true,
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  return { userId: body.user.id, email, cookie: cookieHeader(res) };
}

async function memberId(teamId: string, userId: string): Promise<string> {
  const row = await db(env).query.member.findFirst({
    where: (m, { and, eq }) => and(eq(m.organizationId, teamId), eq(m.userId, userId)),
  });
  if (!row) throw new Error("membership missing");
  return row.id;
}

/** A new team whose owner is signed in and has an API key. */
export async function makeTeam(label: string): Promise<TestUser> {
  const user = await signUpUser(label);
  const teamId = await createTeam(env, user.userId, `${label} team`);
  const { key } = await createApiKey(db(env), { teamId, userId: user.userId, name: "test" });
  return { ...user, teamId, key, memberId: await memberId(teamId, user.userId) };
}

/** Another signed-in user added to `team` with `role`, with an API key of their own. */
export async function addMember(
  team: { teamId: string },
  label: string,
  role: "member" | "admin" | "owner",
): Promise<TestUser> {
  const user = await signUpUser(label);
  await getAuth(env).api.addMember({
    body: { userId: user.userId, role, organizationId: team.teamId },
  });
  const { key } = await createApiKey(db(env), {
    teamId: team.teamId,
    userId: user.userId,
    name: "test",
  });
  return { ...user, teamId: team.teamId, key, memberId: await memberId(team.teamId, user.userId) };
}

/** A JSON API call with `key` (or none). */
export function api(key: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return exports.default.fetch(`http://localhost${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A page request as a browser without JavaScript makes it: GET, or POST of a form. */
export function page(
  cookie: string | null,
  path: string,
  form?: Record<string, string>,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (cookie) headers.Cookie = cookie;
  // A browser sends its page's origin with every form POST (the origin rule checks it).
  if (form) headers.Origin = "http://localhost";
  return exports.default.fetch(`http://localhost${path}`, {
    method: form ? "POST" : "GET",
    headers,
    body: form ? new URLSearchParams(form) : undefined,
    redirect: "manual",
  });
}

/** A page's HTML without React's text separators (`<!-- -->`), for matching sentences. */
export async function html(res: Response): Promise<string> {
  return (await res.text()).replaceAll("<!-- -->", "");
}
