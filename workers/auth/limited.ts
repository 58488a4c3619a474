import { z } from "zod";
import { tryAgainIn } from "../core/rate-limit";
import { errorResponse } from "../http/errors";
import { countAttempt } from "../limiter-client";

const SignInBody = z.object({ email: z.string() }).partial();

/**
 * better-auth's own sign-in and sign-up endpoints go through the same shared limits as
 * the pages (its built-in limiter is per isolate): failed sign-ins per (account, client
 * address), sign-ups per address. Everything else under /api/auth passes straight on.
 */
export async function withAuthLimits(
  env: Env,
  request: Request,
  pathname: string,
  handler: (request: Request) => Promise<Response>,
): Promise<Response> {
  if (request.method !== "POST") return handler(request);
  const rule = pathname.endsWith("/sign-in/email")
    ? "sign-in"
    : pathname.endsWith("/sign-up/email")
      ? "sign-up"
      : null;
  if (!rule) return handler(request);
  let email: string | undefined;
  if (rule === "sign-in") {
    const parsed = SignInBody.safeParse(
      await request
        .clone()
        .json()
        .catch(() => null),
    );
    email = parsed.success ? parsed.data.email : undefined;
  }
  const attempt = await countAttempt(env, rule, request, email);
  if (attempt.refused) {
    const wait = attempt.refused.retryAfterMs;
    const res = errorResponse(
      429,
      "rate_limited",
      rule === "sign-in"
        ? `Too many failed sign-ins for this email from your network. Try again ${tryAgainIn(wait)}.`
        : `Too many sign-ups from your network. Try again ${tryAgainIn(wait)}.`,
    );
    res.headers.set("Retry-After", String(Math.max(1, Math.ceil(wait / 1000))));
    return res;
  }
  const res = await handler(request);
  // Only failed sign-ins count: a good password takes its attempt back.
  if (rule === "sign-in" && res.ok) await attempt.refund();
  return res;
}
