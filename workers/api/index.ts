import { registerJobsRoutes } from "./jobs";
import { registerMailboxesRoutes } from "./mailboxes";
import { registerPeopleRoutes } from "./people";
import { ApiRouter } from "./router";

/** Every /api/v1 route. */
export const api = new ApiRouter();
registerPeopleRoutes(api);
registerJobsRoutes(api);
registerMailboxesRoutes(api);
