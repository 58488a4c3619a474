import { getServerByName } from "partyserver";
import { clock } from "../clock";
import { expectedAlarm } from "../core/engine/alarm";
import { campaignPublication } from "../live/campaign-publication";
import { engineHooks } from "../testing/hooks";
import { definitionFrame, framesSince } from "./live";
import { type Flushed, flushMirror } from "./mirror";
import type { CampaignStore } from "./store";

/** What the Campaign DO lends the steps after a change: its storage, sockets and name. */
export type ChangeTarget = {
  env: Env;
  store: CampaignStore;
  name: string;
  watched(): boolean;
  broadcast(frame: string): void;
};

/** Sends watchers every row and removal since the last broadcast, and a definition change. */
export function broadcastChanges(t: ChangeTarget) {
  const meta = t.store.meta;
  const since = meta.getNumber("broadcast_rev") ?? 0;
  const watched = t.watched();
  if (watched) {
    for (const frame of framesSince(t.store, since)) t.broadcast(frame);
  }
  const def = definitionFrame(t.store);
  if (def && watched) t.broadcast(def);
  if (since !== meta.currentRev()) meta.setNumber("broadcast_rev", meta.currentRev());
}

/**
 * Logs removals, broadcasts everything since the last broadcast, flushes the D1 mirror
 * and publishes what it wrote to the team feed (`publishedVersion` is the definition
 * version the team feed last heard of; the answer is the new one). A failed flush stays in
 * the outbox with a backoff the alarm honours.
 */
export async function afterChange(
  t: ChangeTarget,
  removed: string[],
  publishedVersion: number | null,
): Promise<number | null> {
  const def = t.store.getDef();
  if (!def) return publishedVersion;
  const now = clock.now();
  const meta = t.store.meta;
  t.store.changelog.removed(removed, now);
  broadcastChanges(t);
  let published = publishedVersion;
  try {
    engineHooks.beforeMirrorWrite?.(def.id);
    const flushed = await flushMirror(t.env.DB, t.store);
    meta.setNumber("outbox_retry_at", null);
    meta.setNumber("outbox_attempts", null);
    // People who left outside an action (the pipeline drops a deleted person) are
    // known here: they get their tombstones now.
    const gone = new Set(removed);
    t.store.changelog.removed(
      flushed.removed.filter((id) => !gone.has(id)),
      now,
    );
    broadcastChanges(t);
    published = await publishToTeam(t, flushed, publishedVersion);
  } catch (error) {
    const attempts = (meta.getNumber("outbox_attempts") ?? 0) + 1;
    meta.setNumber("outbox_attempts", attempts);
    meta.setNumber("outbox_retry_at", clock.now() + Math.min(60_000, 500 * 2 ** attempts));
    console.warn("D1 mirror write failed; kept in the outbox", t.name, error);
  }
  t.store.changelog.prune(now);
  return published;
}

/**
 * Tells the team feed what the flush wrote: one RPC per flush. A failure is logged and
 * never breaks the send path (pages catch up from D1 on their next snapshot or load).
 */
async function publishToTeam(
  t: ChangeTarget,
  flushed: Flushed,
  publishedVersion: number | null,
): Promise<number | null> {
  const nothing =
    flushed.prospects.length === 0 && flushed.removed.length === 0 && flushed.messages.length === 0;
  const def = t.store.getDef();
  if (!def || (nothing && publishedVersion === def.version)) return publishedVersion;
  try {
    const account = await getServerByName(t.env.Account, def.teamId);
    await account.publish(campaignPublication(def, t.store, flushed));
    return def.version;
  } catch (error) {
    console.warn("team feed publish failed; pages catch up from D1", t.name, error);
    return null;
  }
}

/** The alarm invariant: max(now + 1 ms, earliest deadline), or null when nothing is pending. */
export function alarmFor(store: CampaignStore, now: number): number | null {
  return expectedAlarm({
    active: store.getDef()?.status === "active",
    now,
    earliestDue: store.prospects.earliestNextAt(),
    outboxPending: store.outbox.count() > 0,
    outboxRetryAt: store.meta.getNumber("outbox_retry_at"),
    providerRetryAt: store.messages.earliestRetryAt(now),
    openReservations: store.reservations.open().length > 0,
    preparesAt: store.meta.getNumber("prepare_at"),
  });
}
