import { useRouteLoaderData } from "@remix-run/react";
import {
  type AccountEntry,
  type AccountFrame,
  type LiveUsage,
  parseAccountFrame,
} from "@workers/core/live-feed";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { openLiveSocket } from "./live-socket";

export type { LiveUsage } from "@workers/core/live-feed";
export type LiveStatus = { online: boolean; caughtUp: boolean };

type Listener = { onEntries: (entries: AccountEntry[]) => void; onSnapshot: () => void };

/** Entries newer than this are handed to a page that subscribes late (see subscribe). */
const REPLAY_MS = 10_000;
/** The socket stays open this long after the last page left: navigation keeps it. */
const LINGER_MS = 15_000;

/**
 * The team feed (/parties/account/<teamId>), one socket per tab shared by every page and
 * component that follows it. It remembers the last version it applied and asks with
 * ?since= on every reconnect; a snapshot (too far behind) — or the very first connection,
 * whose data was loaded before the socket was open — asks the pages to reload their data.
 */
class AccountFeed {
  version: number | null = null;
  usage: LiveUsage | null = null;
  status: LiveStatus = { online: false, caughtUp: false };
  private listeners = new Set<Listener>();
  private watchers = new Set<() => void>();
  private recent: { at: number; entries: AccountEntry[] }[] = [];
  private close: (() => void) | null = null;
  private linger: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly teamId: string) {}

  private open() {
    this.close = openLiveSocket({
      party: "account",
      room: this.teamId,
      query: (): Record<string, string> =>
        this.version === null ? {} : { since: String(this.version) },
      onMessage: (data) => {
        const frame = parseAccountFrame(data);
        if (frame) this.apply(frame);
      },
      onOpenChange: (online) => this.setStatus({ online, caughtUp: false }),
    }).close;
  }

  private setStatus(status: LiveStatus) {
    if (status.online === this.status.online && status.caughtUp === this.status.caughtUp) return;
    this.status = status;
    for (const w of this.watchers) w();
  }

  private apply(frame: AccountFrame) {
    switch (frame.type) {
      case "hello":
        if (this.version === null) {
          // Pages loaded their data before this socket existed: reload once, from now on live.
          this.version = frame.version;
          for (const l of this.listeners) l.onSnapshot();
          this.setStatus({ online: true, caughtUp: true });
        }
        return;
      case "snapshot":
        this.version = frame.version;
        for (const l of this.listeners) l.onSnapshot();
        this.setStatus({ online: true, caughtUp: true });
        return;
      case "changes": {
        this.version = Math.max(this.version ?? 0, frame.version);
        const usage = frame.entries.findLast((e) => e.kind === "usage");
        if (usage?.kind === "usage") {
          this.usage = usage.usage;
          for (const w of this.watchers) w();
        }
        const now = Date.now();
        this.recent = [
          ...this.recent.filter((r) => now - r.at < REPLAY_MS),
          { at: now, entries: frame.entries },
        ];
        for (const l of this.listeners) l.onEntries(frame.entries);
        // Many rows of a campaign changed at once: pages read their data again.
        if (frame.entries.some((e) => e.kind === "reload")) {
          for (const l of this.listeners) l.onSnapshot();
        }
        if (!frame.more) this.setStatus({ online: true, caughtUp: true });
        return;
      }
    }
  }

  /**
   * A page follows the feed. One that subscribes to an open feed gets the last few seconds'
   * entries again (its loader may have read D1 just before they arrived); applying an entry
   * twice is harmless, each is the newest state of what it names.
   */
  subscribe(listener: Listener): () => void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    this.listeners.add(listener);
    if (!this.close) this.open();
    else {
      for (const r of this.recent) {
        listener.onEntries(r.entries);
        if (r.entries.some((e) => e.kind === "reload")) listener.onSnapshot();
      }
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0 || this.watchers.size > 0) return;
      this.linger = setTimeout(() => this.shutdown(), LINGER_MS);
    };
  }

  watch(fn: () => void): () => void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    this.watchers.add(fn);
    if (!this.close) this.open();
    return () => {
      this.watchers.delete(fn);
      if (this.listeners.size > 0 || this.watchers.size > 0) return;
      this.linger = setTimeout(() => this.shutdown(), LINGER_MS);
    };
  }

  private shutdown() {
    this.close?.();
    this.close = null;
    this.version = null;
    this.recent = [];
    this.setStatus({ online: false, caughtUp: false });
  }
}

const feeds = new Map<string, AccountFeed>();
function feedOf(teamId: string): AccountFeed {
  let feed = feeds.get(teamId);
  if (!feed) {
    feed = new AccountFeed(teamId);
    feeds.set(teamId, feed);
  }
  return feed;
}

/** The signed-in team, from the app shell's loader. */
export function useTeamId(): string | null {
  return useRouteLoaderData<{ teamId: string }>("routes/_app")?.teamId ?? null;
}

const OFFLINE: LiveStatus = { online: false, caughtUp: false };

function useFeedState<T>(pick: (feed: AccountFeed) => T, fallback: T): T {
  const teamId = useTeamId();
  return useSyncExternalStore(
    (notify) => (teamId ? feedOf(teamId).watch(notify) : () => {}),
    () => (teamId ? pick(feedOf(teamId)) : fallback),
    () => fallback,
  );
}

/**
 * Follows the team feed: `onEntries` gets every change (campaign counts, Outreach lines,
 * Email Log rows, usage), `onSnapshot` asks the page to reload its data (e.g. revalidate).
 */
export function useAccountFeed(handlers: Listener): LiveStatus {
  const teamId = useTeamId();
  const handler = useRef(handlers);
  handler.current = handlers;
  useEffect(() => {
    if (!teamId) return;
    return feedOf(teamId).subscribe({
      onEntries: (entries) => handler.current.onEntries(entries),
      onSnapshot: () => handler.current.onSnapshot(),
    });
  }, [teamId]);
  return useFeedState((f) => f.status, OFFLINE);
}

/** Today's email usage, live (null until the team feed has told it). */
export function useUsage(): LiveUsage | null {
  return useFeedState((f) => f.usage, null);
}
