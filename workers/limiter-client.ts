/*
 * How the Worker and the pages ask the Limiter Durable Object (workers/limiter.ts), kept
 * apart from the class so the Remix bundle never imports `cloudflare:workers`.
 */

/** A short hash naming a Limiter instance or a counter, so emails and addresses are never names. */
export async function limiterKey(...parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`limiter:${parts.join("\n")}`),
  );
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 40);
}

/** The client's address as Cloudflare saw it; locally every client is 127.0.0.1. */
export function clientAddress(request: Request): string {
  return request.headers.get("CF-Connecting-IP")?.trim() || "127.0.0.1";
}

/** A refused attempt: how long to wait, for `Retry-After` and for people. */
export type Refusal = { retryAfterMs: number };

/**
 * One attempt under a window rule, counted where every isolate sees it. Sign-in attempts
 * live in one Limiter per account email (counted per client address inside), sign-ups in
 * one per client address. Returns the refusal, or how to take the attempt back.
 */
export async function countAttempt(
  env: Env,
  rule: "sign-in" | "sign-up",
  request: Request,
  email?: string,
): Promise<{ refused: Refusal } | { refused: null; refund: () => Promise<void> }> {
  const address = clientAddress(request);
  const shard =
    rule === "sign-in" ? `sign-in\n${email?.trim().toLowerCase() ?? ""}` : `sign-up\n${address}`;
  const stub = env.Limiter.getByName(await limiterKey(shard));
  const key = await limiterKey(address);
  const answer = await stub.hit({ rule, key });
  if (!answer.allowed) return { refused: { retryAfterMs: answer.retryAfterMs } };
  const at = answer.at ?? 0;
  return { refused: null, refund: () => stub.refund({ rule, key, at }) };
}

/**
 * One API request by `keyId` of `teamId`: both buckets live in the team's Limiter, so the
 * check is one Durable Object call. Returns the refusal, or null.
 */
export async function takeApiRequest(
  env: Env,
  teamId: string,
  keyId: string,
): Promise<Refusal | null> {
  const stub = env.Limiter.getByName(`api\n${teamId}`);
  const decision = await stub.take({
    buckets: [
      { rule: "api-key", key: keyId },
      { rule: "api-team", key: teamId },
    ],
  });
  return decision.allowed ? null : { retryAfterMs: decision.retryAfterMs };
}
