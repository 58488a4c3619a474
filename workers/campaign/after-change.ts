import { clock } from "../clock";
import { expectedAlarm } from "../core/engine/alarm";
import { campaignPublication } from "../live/campaign-publication";
import { engineHooks } from "../testing/hooks";
import { definitionFrame, framesSince } from "./live";
import { FLUSH_ITEMS, type Flushed, flushMirror } from "./mirror";
import type { Peers } from "./peers";
import type { CampaignStore } from "./store";

/** What the Campaign DO lends the steps after a change: its storage, sockets and name. */
export type ChangeTarget = {
  env: Env;
  store: CampaignStore;
  name: string;
  watched(): boolean;
  broadcast(frame: string): void;
  peers: Peers;
  /** When this object last flushed its mirror (real time; in memory, forgotten on eviction). */
  flushed: { at: number };
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
 * A call (enroll, an action, an edit) flushes the D1 mirror before it answers only when the
 * outbox holds at most this many changes; a bigger one (a 10,000-person enroll, a chunk of
 * a bulk action) answers at once and leaves the flush to the alarm, armed for
 * MIRROR_DEFER_MS later. Pages see the DO's own rows live either way.
 */
export const INLINE_FLUSH_MAX = 500;

/**
 * How long after such a call the alarm flushes: the answer leaves first, and calls that
 * follow (the chunks of a bulk action, the calls of a big import, each a few hundred ms
 * apart at most) push it back, so they run one after another, not each behind a flush of
 * the last one's rows (a flush competes for the thread and for D1). The mirror catches up
 * once they stop, and never trails its first waiting change by more than MIRROR_MAX_TRAIL_MS.
 */
export const MIRROR_DEFER_MS = 300;

/** The longest the mirror waits behind a run of big calls before it flushes between them. */
export const MIRROR_MAX_TRAIL_MS = 30_000;

/**
 * While the alarm has more due prospects to send right away, its flushes are gathered:
 * at most one per this long (and at once when a flush's worth is waiting), so a run of
 * batches writes D1 and the team feed a few times a second, not once per 100 prospects.
 */
export const MIRROR_INTERVAL_MS = 250;

/** Who calls: a DO call answering a person, or the alarm between batches. */
export type ChangeSource = "call" | "alarm";

/** True when the alarm has due work now (besides the mirror), i.e. it re-arms for now. */
function moreWorkNow(store: CampaignStore, now: number): boolean {
  const next = expectedAlarm({
    active: store.getDef()?.status === "active",
    now,
    earliestDue: store.prospects.earliestNextAt(),
    outboxPending: false,
    outboxRetryAt: null,
    providerRetryAt: store.messages.earliestRetryAt(now),
    openReservations: store.reservations.open().length > 0,
    preparesAt: store.meta.getNumber("prepare_at"),
  });
  return next !== null && next <= now + 1;
}

/** Whether this change flushes the mirror now or leaves it to the (armed) alarm. */
function flushesNow(t: ChangeTarget, source: ChangeSource, now: number): boolean {
  const pending = t.store.outbox.atLeast(Math.max(INLINE_FLUSH_MAX + 1, FLUSH_ITEMS));
  if (pending === 0) return true; // nothing to write; a definition change may still publish
  if (source === "call") return pending <= INLINE_FLUSH_MAX;
  // A big call put the flush off to let the calls that follow it run first: an alarm that
  // wakes before then (a send's, or the previous flush's next step) leaves it too.
  const deferredTo = t.store.meta.getNumber("mirror_at");
  if (deferredTo !== null && now < deferredTo) return false;
  if (pending >= FLUSH_ITEMS) return true;
  return Date.now() - t.flushed.at >= MIRROR_INTERVAL_MS || !moreWorkNow(t.store, now);
}

/**
 * A big call leaves the flush to the alarm, MIRROR_DEFER_MS after the latest such call but
 * no later than MIRROR_MAX_TRAIL_MS after the first change left waiting (`mirror_since`).
 */
function deferMirror(store: CampaignStore, now: number) {
  const meta = store.meta;
  let since = meta.getNumber("mirror_since");
  if (since === null) {
    since = now;
    meta.setNumber("mirror_since", now);
  }
  meta.setNumber("mirror_at", Math.min(now + MIRROR_DEFER_MS, since + MIRROR_MAX_TRAIL_MS));
}

/**
 * Logs removals, broadcasts everything since the last broadcast, flushes the D1 mirror
 * (see flushesNow) and publishes what it wrote to the team feed (`publishedVersion` is the
 * definition version the team feed last heard of; the answer is the new one). A failed
 * flush stays in the outbox with a backoff the alarm honours.
 */
export async function afterChange(
  t: ChangeTarget,
  removed: string[],
  publishedVersion: number | null,
  source: ChangeSource = "call",
): Promise<number | null> {
  const def = t.store.getDef();
  if (!def) return publishedVersion;
  const now = clock.now();
  const meta = t.store.meta;
  t.store.changelog.removed(removed, now);
  broadcastChanges(t);
  let published = publishedVersion;
  if (!flushesNow(t, source, now)) {
    if (source === "call") deferMirror(t.store, now);
    t.store.changelog.prune(now);
    return published;
  }
  meta.setNumber("mirror_at", null);
  meta.setNumber("mirror_since", null);
  t.flushed.at = Date.now();
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
    const account = await t.peers.accountOf(def.teamId);
    await account.publish(campaignPublication(def, t.store, flushed));
    return def.version;
  } catch (error) {
    console.warn("team feed publish failed; pages catch up from D1", t.name, error);
    t.peers.forget();
    return null;
  }
}

/** The alarm invariant: max(now + 1 ms, earliest deadline), or null when nothing is pending. */
export function alarmFor(store: CampaignStore, now: number): number | null {
  return expectedAlarm({
    active: store.getDef()?.status === "active",
    now,
    earliestDue: store.prospects.earliestNextAt(),
    outboxPending: store.outbox.atLeast(1) > 0,
    outboxRetryAt: store.meta.getNumber("outbox_retry_at") ?? store.meta.getNumber("mirror_at"),
    providerRetryAt: store.messages.earliestRetryAt(now),
    openReservations: store.reservations.open().length > 0,
    preparesAt: store.meta.getNumber("prepare_at"),
  });
}
