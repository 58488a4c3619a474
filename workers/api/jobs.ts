import type { ApiRouter } from "./router";

/** /api/v1/jobs routes. */
export function registerJobsRoutes(_api: ApiRouter): void {}
