import type { ApiRouter } from "./router";

/** /api/v1/mailboxes routes. */
export function registerMailboxesRoutes(_api: ApiRouter): void {}
