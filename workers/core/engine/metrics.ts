/** What a prospect can do with a message, as the Campaign DO's engagement table records it. */
export const ENGAGEMENT_KINDS = ["open", "click", "download", "reply"] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];
