import * as build from "virtual:remix-build";
import { createRequestHandler } from "@remix-run/cloudflare";
import { routePartykitRequest } from "partyserver";
import { api } from "./api/index";
import { getAuth } from "./auth/auth";
import { clock } from "./clock";
import { inInvocation } from "./db/limits";
import { config } from "./env";
import { runHousekeeping } from "./housekeeping/index";
import { errorResponse } from "./http/errors";
import { authorizeParty } from "./http/parties";
import { handleEmail } from "./inbound/handler";
import { webhooks } from "./webhooks/index";

export { Account } from "./account";
export { Campaign } from "./campaign";
export { Pacer } from "./pacer";

const handleRemix = createRequestHandler(build);

export default {
  fetch(request, env, ctx) {
    return inInvocation(async () => {
      config(env);
      const { pathname } = new URL(request.url);
      if (pathname.startsWith("/parties/")) {
        const res = await routePartykitRequest(request, env, {
          onBeforeConnect: (req, { party, name }) => authorizeParty(req, env, party, name),
          onBeforeRequest: () => errorResponse(404, "not_found", "Live feeds are WebSocket only."),
        });
        return res ?? errorResponse(404, "not_found", "No such live feed.");
      }
      if (pathname.startsWith("/api/v1/") || pathname === "/api/v1") {
        return api.handle(request, env, ctx);
      }
      if (pathname.startsWith("/api/auth/")) return getAuth(env).handler(request);
      if (pathname.startsWith("/webhooks/")) return webhooks.handle(request, env, ctx);
      return handleRemix(request, { cloudflare: { env, ctx } });
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
