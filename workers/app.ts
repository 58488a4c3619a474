import * as build from "virtual:remix-build";
import { type AppLoadContext, createRequestHandler, type ServerBuild } from "@remix-run/cloudflare";
import { routePartykitRequest } from "partyserver";
import { api } from "./api/index";
import { getAuth } from "./auth/auth";
import { withAuthLimits } from "./auth/limited";
import { clock } from "./clock";
import { checkOrigin, isOriginExempt } from "./core/origin";
import { securityHeaders } from "./core/security-headers";
import { inInvocation } from "./db/limits";
import { config } from "./env";
import { runHousekeeping } from "./housekeeping/index";
import { errorResponse } from "./http/errors";
import { FORM_MAX_BYTES, formTooLarge, withBodyCapped } from "./http/forms";
import { authorizeParty } from "./http/parties";
import { handleEmail } from "./inbound/handler";
import { handleTracking } from "./tracking/handler";
import { webhooks } from "./webhooks/index";

export { Account } from "./account";
export { Campaign } from "./campaign";
export { Limiter } from "./limiter";
export { Pacer } from "./pacer";

/** The CSV import page's chunk endpoint takes up to 12 MiB (its own cap; ADR 0002). */
const IMPORT_ROWS_PATH = "/people/import/rows";
const IMPORT_ROWS_MAX_BYTES = 12 * 1024 * 1024;
/** The attachment picker's upload: one 10 MB file and its form framing (413 above). */
const ATTACHMENTS_PATH = "/attachments";
const ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024 + 64 * 1024;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// A request refused before Remix (too large, cross-site) still goes through Remix, thrown by
// the action, so the page's error boundary shows it and single-fetch clients can decode it.
const refusals = new WeakMap<AppLoadContext, Response>();

function refusingActions(b: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(b.routes)) {
    const action = route.module.action;
    routes[id] = action
      ? {
          ...route,
          module: {
            ...route.module,
            action: (args) => {
              const refused = refusals.get(args.context);
              if (refused) throw refused;
              return action(args);
            },
          },
        }
      : route;
  }
  return { ...b, routes };
}

const handleRemix = createRequestHandler(refusingActions(build));

function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function withSecurityHeaders(res: Response, pathname: string, publicUrl: string): Response {
  if (res.status === 101) return res;
  const out = new Response(res.body, res);
  const set = securityHeaders({
    pathname,
    publicUrl,
    contentType: out.headers.get("Content-Type"),
    csp: out.headers.get("Content-Security-Policy"),
  });
  for (const [k, v] of Object.entries(set)) out.headers.set(k, v);
  return out;
}

/** Pages and better-auth: the size cap first, then the origin rule, then the route. */
async function handleCookieSurface(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathname: string,
): Promise<Response> {
  const isAuth = pathname.startsWith("/api/auth/");
  const isRows = pathname === IMPORT_ROWS_PATH || pathname === `${IMPORT_ROWS_PATH}.data`;
  const isUpload = pathname === ATTACHMENTS_PATH;
  const cap = isRows ? IMPORT_ROWS_MAX_BYTES : isUpload ? ATTACHMENTS_MAX_BYTES : FORM_MAX_BYTES;
  let refused: Response | null = null;
  let req = request;
  if (!SAFE_METHODS.has(request.method)) {
    const capped = await withBodyCapped(request, cap);
    if (capped === null) {
      refused = isRows
        ? errorResponse(413, "payload_too_large", "This chunk is larger than 12 MiB.")
        : isUpload
          ? errorResponse(413, "payload_too_large", "A file can be at most 10 MB.")
          : isAuth
            ? errorResponse(413, "payload_too_large", "The request body is larger than 64 KiB.")
            : formTooLarge(cap);
      req = new Request(request.url, { method: request.method, headers: request.headers });
    } else {
      req = capped;
      const verdict = checkOrigin({
        method: request.method,
        pathname,
        origin: request.headers.get("Origin"),
        secFetchSite: request.headers.get("Sec-Fetch-Site"),
        ownOrigin: new URL(env.PUBLIC_URL).origin,
      });
      if (!verdict.ok) {
        refused =
          isAuth || isRows
            ? errorResponse(403, "forbidden", verdict.message)
            : new Response(verdict.message, {
                status: 403,
                headers: {
                  "Content-Type": "text/plain; charset=utf-8",
                  "Cache-Control": "no-store",
                },
              });
      }
    }
  }
  if (isAuth) {
    return refused ?? withAuthLimits(env, req, pathname, (r) => getAuth(env).handler(r));
  }
  const loadContext: AppLoadContext = { cloudflare: { env, ctx } };
  if (refused) refusals.set(loadContext, refused);
  return handleRemix(forRemix(req, refused !== null || isOriginExempt(pathname)), loadContext);
}

/**
 * Remix runs its own, narrower check (Origin against Host) before any action and answers a
 * bare 500 when it fails or Host is missing. Ours ran first: a request it refused or that
 * needs no origin (one-click unsubscribe from a mail provider) loses its Origin, so our
 * refusal or the route answers; an accepted one gets its URL's Host when the runtime gave none.
 */
function forRemix(request: Request, dropOrigin: boolean): Request {
  if (SAFE_METHODS.has(request.method)) return request;
  const headers = new Headers(request.headers);
  if (dropOrigin) headers.delete("Origin");
  else if (!headers.has("Host")) headers.set("Host", new URL(request.url).host);
  return new Request(request, { headers });
}

export default {
  fetch(request, env, ctx) {
    return inInvocation(async () => {
      config(env);
      const { pathname } = new URL(request.url);
      const isApi = pathname.startsWith("/api/v1/") || pathname === "/api/v1";
      if (!decodes(pathname)) {
        const message = "The address has a malformed percent-escape (such as %zz).";
        return isApi
          ? errorResponse(400, "bad_request", message)
          : new Response(message, {
              status: 400,
              headers: { "Content-Type": "text/plain; charset=utf-8" },
            });
      }
      if (pathname.startsWith("/parties/")) {
        const res = await routePartykitRequest(request, env, {
          onBeforeConnect: (req, { party, name }) => authorizeParty(req, env, party, name),
          onBeforeRequest: () => errorResponse(404, "not_found", "Live feeds are WebSocket only."),
        });
        return res ?? errorResponse(404, "not_found", "No such live feed.");
      }
      let res: Response;
      if (isApi) res = await api.handle(request, env, ctx);
      else if (pathname.startsWith("/webhooks/")) res = await webhooks.handle(request, env, ctx);
      else if (pathname.startsWith("/t/")) res = await handleTracking(request, env);
      else res = await handleCookieSurface(request, env, ctx, pathname);
      return withSecurityHeaders(res, pathname, env.PUBLIC_URL);
    });
  },
  // Replies, auto-replies, bounces and synced mail from Email Routing (DESIGN.md §1).
  email(message, env) {
    return inInvocation(() => handleEmail(message, env));
  },
  // Housekeeping only, never the send path (DESIGN.md §2). Awaited rather than handed to
  // waitUntil, so that the cron's recorded outcome and duration are the run's own.
  scheduled(_controller, env) {
    return inInvocation(() => runHousekeeping(env, clock.now()));
  },
} satisfies ExportedHandler<Env>;
