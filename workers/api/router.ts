import { type Actor, requireApiKey } from "../auth/guards";
import { errorResponse } from "../http/errors";

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
      const actor = await requireApiKey(request, env);
      const m = route.pattern.exec(path) ?? [];
      const params = Object.fromEntries(
        route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]),
      );
      return await route.handler({ request, env, ctx, actor, params, url });
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
