import { registerAccountRoutes } from "./account";
import { registerCampaignRoutes } from "./campaigns";
import { registerDomainsRoutes } from "./domains";
import { registerEmailLogRoutes } from "./email-log";
import { registerJobsRoutes } from "./jobs";
import { registerMailboxesRoutes } from "./mailboxes";
import { registerPeopleRoutes } from "./people";
import { registerProspectRoutes } from "./prospects";
import { ApiRouter } from "./router";

/** Every /api/v1 route. */
export const api = new ApiRouter();
registerPeopleRoutes(api);
registerJobsRoutes(api);
registerMailboxesRoutes(api);
registerDomainsRoutes(api);
registerCampaignRoutes(api);
registerProspectRoutes(api);
registerEmailLogRoutes(api);
registerAccountRoutes(api);
