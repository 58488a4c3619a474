import type { ApiRouter } from "./router";

/** /api/v1/people routes. */
export function registerPeopleRoutes(_api: ApiRouter): void {}
