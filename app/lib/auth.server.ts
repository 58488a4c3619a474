import { redirect } from "@remix-run/cloudflare";
import { getAuth } from "@workers/auth/auth";
import { tryAgainIn } from "@workers/core/rate-limit";
import { safeRedirect } from "@workers/core/safe-redirect";
import { createTeam } from "@workers/data/teams";
import { countAttempt } from "@workers/limiter-client";
import { z } from "zod";

const SignUpAnswer = z.object({ user: z.object({ id: z.string() }) });

/** Copies better-auth's Set-Cookie headers onto a redirect. */
function redirectWithCookies(to: string, from: Response): Response {
  const headers = new Headers({ Location: to });
  for (const cookie of from.headers.getSetCookie()) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}

async function errorMessage(res: Response, fallback: string): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
      return body.message;
    }
  } catch {
    // not JSON: use the fallback
  }
  return fallback;
}

/** `retryAfterMs`: refused by the rate limit (answer 429 with `Retry-After`). */
export type AuthResult =
  | { ok: true; response: Response }
  | { ok: false; message: string; retryAfterMs?: number };

/** Failed sign-ins per (account, client address) and sign-ups per address are limited. */
export async function signIn(
  env: Env,
  request: Request,
  input: { email: string; password: string; redirectTo: string },
): Promise<AuthResult> {
  const attempt = await countAttempt(env, "sign-in", request, input.email);
  if (attempt.refused) {
    const wait = attempt.refused.retryAfterMs;
    return {
      ok: false,
      message: `Too many failed sign-ins for this email from your network. Try again ${tryAgainIn(wait)}.`,
      retryAfterMs: wait,
    };
  }
  const result = await signInUnlimited(env, request, input);
  // Only failures count: a good password takes its attempt back.
  if (result.ok) await attempt.refund();
  return result;
}

async function signInUnlimited(
  env: Env,
  request: Request,
  input: { email: string; password: string; redirectTo: string },
): Promise<AuthResult> {
  const res = await getAuth(env).api.signInEmail({
    body: { email: input.email, password: input.password },
    headers: request.headers,
    asResponse: true,
  });
  if (!res.ok) {
    return {
      ok: false,
      message:
        res.status === 401
          ? "Wrong email or password."
          : await errorMessage(res, "Could not sign in."),
    };
  }
  return { ok: true, response: redirectWithCookies(input.redirectTo, res) };
}

export async function signUp(
  env: Env,
  request: Request,
  input: { name: string; email: string; password: string; teamName: string; redirectTo?: string },
): Promise<AuthResult> {
  const attempt = await countAttempt(env, "sign-up", request);
  if (attempt.refused) {
    const wait = attempt.refused.retryAfterMs;
    return {
      ok: false,
      message: `Too many sign-ups from your network. Try again ${tryAgainIn(wait)}.`,
      retryAfterMs: wait,
    };
  }
  const res = await getAuth(env).api.signUpEmail({
    body: { name: input.name, email: input.email, password: input.password },
    headers: request.headers,
    asResponse: true,
  });
  if (!res.ok) {
    return { ok: false, message: await errorMessage(res, "Could not create the account.") };
  }
  const body = SignUpAnswer.safeParse(await res.clone().json());
  if (!body.success) return { ok: false, message: "Could not create the account." };
  await createTeam(env, body.data.user.id, input.teamName);
  return { ok: true, response: redirectWithCookies(safeRedirect(input.redirectTo), res) };
}

export async function signOut(env: Env, request: Request): Promise<Response> {
  const res = await getAuth(env).api.signOut({ headers: request.headers, asResponse: true });
  return redirectWithCookies("/login", res);
}

export async function switchTeam(env: Env, request: Request, teamId: string, to: string) {
  const res = await getAuth(env).api.setActiveOrganization({
    body: { organizationId: teamId },
    headers: request.headers,
    asResponse: true,
  });
  if (!res.ok) throw redirect(to);
  return redirectWithCookies(to, res);
}
