import { errorResponse } from "../http/errors";

/**
 * A provider's webhook: it authenticates the request itself (a signature over the raw
 * body), so the router hands it the request untouched, body unread.
 */
export type WebhookHandler = (
  request: Request,
  env: Env,
  ctx: ExecutionContext,
) => Promise<Response>;

/** A small method + path router for /webhooks/*: exact paths, no parameters. */
export class WebhookRouter {
  private routes = new Map<string, Map<string, WebhookHandler>>();

  on(method: string, path: string, handler: WebhookHandler): this {
    const methods = this.routes.get(path) ?? new Map<string, WebhookHandler>();
    methods.set(method, handler);
    this.routes.set(path, methods);
    return this;
  }

  /** Every registered route as "METHOD /path" (the webhook tests walk them). */
  list(): string[] {
    return [...this.routes].flatMap(([path, methods]) =>
      [...methods.keys()].map((m) => `${m} ${path}`),
    );
  }

  async handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    const methods = this.routes.get(path);
    if (!methods) return errorResponse(404, "not_found", `No webhook ${path}`);
    const handler = methods.get(request.method);
    if (!handler) {
      const res = errorResponse(405, "bad_request", `${request.method} is not allowed on ${path}`);
      res.headers.set("Allow", [...methods.keys()].join(", "));
      return res;
    }
    try {
      return await handler(request, env, ctx);
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      console.error("webhook error", request.method, path, thrown);
      // 500 asks the provider to deliver it again later (where it retries).
      return errorResponse(500, "internal", "Something went wrong on our side.");
    }
  }
}
