import type { AccountEntry } from "@workers/core/live-feed";
import { type LiveStatus, useAccountFeed } from "./use-live-feed";
import { useLiveRevalidate } from "./use-live-revalidate";

/** Whether a team-feed change touches this person's profile (Outreach, history, messages). */
export function touchesPerson(e: AccountEntry, personId: string, campaignIds: Set<string>) {
  switch (e.kind) {
    case "outreach":
    case "outreach_removed":
      return e.personId === personId;
    case "email":
      return e.row.personId === personId;
    case "campaign":
      // The campaign's status or name shows on the person's Outreach lines.
      return campaignIds.has(e.id);
    default:
      return false;
  }
}

/**
 * Keeps a profile live: when the team feed says something of this person changed, the
 * page's data is read again (at most every ~½ s), so the Outreach section's statuses,
 * actions and history are the campaign's own.
 */
export function usePersonLive(personId: string, campaignIds: string[]): LiveStatus {
  const reload = useLiveRevalidate(400);
  const ids = new Set(campaignIds);
  return useAccountFeed({
    onEntries: (entries) => {
      if (entries.some((e) => touchesPerson(e, personId, ids))) reload();
    },
    onSnapshot: reload,
  });
}
