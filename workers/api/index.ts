import { registerAccountRoutes } from "./account";
import { registerAttachmentRoutes } from "./attachments";
import { registerCampaignRoutes } from "./campaigns";
import { registerDomainsRoutes } from "./domains";
import { registerEmailLogRoutes } from "./email-log";
import { registerJobsRoutes } from "./jobs";
import { registerMailboxesRoutes } from "./mailboxes";
import { registerMetricsRoutes } from "./metrics";
import { registerPeopleRoutes } from "./people";
import { registerProspectRoutes } from "./prospects";
import { ApiRouter } from "./router";
import { registerTasksRoutes } from "./tasks";

/** Every /api/v1 route. */
export const api = new ApiRouter();
registerPeopleRoutes(api);
registerJobsRoutes(api);
registerMailboxesRoutes(api);
registerDomainsRoutes(api);
// Before the campaign routes: /campaigns/:id/metrics(.csv) are answered from D1 here.
registerMetricsRoutes(api);
registerAttachmentRoutes(api);
registerCampaignRoutes(api);
registerProspectRoutes(api);
registerEmailLogRoutes(api);
registerAccountRoutes(api);
registerTasksRoutes(api);
