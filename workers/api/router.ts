import { type Actor, requireApiKey } from "../auth/guards";
import { retryAfterSeconds } from "../core/rate-limit";
import { errorResponse } from "../http/errors";
import { formatBytes, JSON_BODY_LIMITS } from "../http/json-cap";
import { readCapped } from "../http/read-capped";
import { takeApiRequest } from "../limiter-client";
import { engineHooks } from "../testing/hooks";

export type ApiContext = {
  request: Request;
  env: Env;
  ctx: ExecutionContext;
  actor: Actor;
  params: Record<string, string>;
  url: URL;
};
export type ApiHandler = (c: ApiContext) => Promise<Response>;
type Route = { method: string; path: string; pattern: RegExp; keys: string[]; handler: ApiHandler };

/** Per key and per team (DESIGN.md §3): a 429 with `Retry-After` (thrown) when over. */
async function requireWithinRateLimit(env: Env, actor: Actor): Promise<void> {
  if (engineHooks.apiRateLimits === false) return;
  const refused = await takeApiRequest(env, actor.teamId, actor.keyId ?? actor.userId);
  if (!refused) return;
  const seconds = retryAfterSeconds(refused.retryAfterMs);
  const res = errorResponse(
    429,
    "rate_limited",
    `Too many requests for this API key or team; retry after ${seconds} s.`,
  );
  res.headers.set("Retry-After", String(seconds));
  throw res;
}

/** Routes whose bodies may be larger than the default (a campaign with its stages). */
const LARGE_BODY_ROUTES = new Set(["/api/v1/campaigns", "/api/v1/campaigns/:id"]);
/** A multipart upload: one 10 MB file and its form framing (workers/api/attachments.ts). */
const ATTACHMENT_UPLOAD_ROUTE = "/api/v1/attachments";
const ATTACHMENT_UPLOAD_LIMIT = 10 * 1024 * 1024 + 64 * 1024;

/**
 * The request with its body read up to the route's limit (counted as it arrives, so a
 * chunked body cannot get around it), or a thrown 413 naming the limit.
 */
async function withinBodyLimit(request: Request, routePath: string): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD" || !request.body) return request;
  const cap =
    routePath === ATTACHMENT_UPLOAD_ROUTE
      ? ATTACHMENT_UPLOAD_LIMIT
      : LARGE_BODY_ROUTES.has(routePath)
        ? JSON_BODY_LIMITS.campaign
        : JSON_BODY_LIMITS.default;
  const tooLarge = () =>
    errorResponse(
      413,
      "payload_too_large",
      `The request body is larger than ${formatBytes(cap)}, the most this route accepts.`,
    );
  if (Number(request.headers.get("Content-Length") ?? "0") > cap) throw tooLarge();
  const bytes = await readCapped(request.body, cap);
  if (bytes === null) throw tooLarge();
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: new Uint8Array(bytes),
  });
}

/** A small method + path router for /api/v1 with named `:params`. */
export class ApiRouter {
  private routes: Route[] = [];

  on(method: string, path: string, handler: ApiHandler): this {
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    this.routes.push({ method, path, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  /** Every registered route as "METHOD /path/:param" (the isolation test walks them). */
  list(): string[] {
    return this.routes.map((r) => `${r.method} ${r.path}`);
  }

  async handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "");
    const matching = this.routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return errorResponse(404, "not_found", `No API route ${path}`);
    const route = matching.find((r) => r.method === request.method);
    if (!route) {
      return errorResponse(
        405 as 400,
        "bad_request",
        `${request.method} is not allowed on ${path}`,
      );
    }
    try {
      // The size first, before the key and the rate limit: an oversized body is always 413.
      const sized = await withinBodyLimit(request, route.path);
      const actor = await requireApiKey(sized, env);
      await requireWithinRateLimit(env, actor);
      const m = route.pattern.exec(path) ?? [];
      const params = Object.fromEntries(
        route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]),
      );
      return await route.handler({ request: sized, env, ctx, actor, params, url });
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      console.error("API error", request.method, path, thrown);
      return errorResponse(
        500,
        "internal",
        "Something went wrong on our side; nothing was changed.",
      );
    }
  }
}
