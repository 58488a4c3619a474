import {
  PRESENCE_STALE_MS,
  type PresenceMode,
  PresenceModeSchema,
  parseSince,
  presentUsers,
} from "@workers/core/live-feed";
import type { Connection } from "partyserver";
import { z } from "zod";
import type { CampaignStore } from "./store";
import { prospectRow } from "./views";

/**
 * The campaign feed (/parties/campaign/<id>): versioned prospect diffs from the change
 * log (rows by rev, removals as tombstones), the catch-up a reconnecting client gets,
 * definition announcements, and presence. Frames:
 *   hello    {campaignId, rev, status, version, you}
 *   prospects{rev, rows, removed, more?}   rows and removals up to `rev`; more: another follows
 *   snapshot {rev}                          too far behind: reload the data, then follow from rev
 *   campaign {rev, version, status, name}   the definition changed (stages, settings, status)
 *   presence {users:[{userId, name, mode}]}
 */

/** A diff frame holds at most this many rows; `more` says another follows. */
const PAGE_ROWS = 1_000;
/** Past this many changed rows, a client reloads rather than replaying them. */
const MAX_REPLAY_ROWS = 20_000;

/** What the Worker told us about a connection, and its presence (see presentUsers). */
export const LiveConnectionSchema = z.object({
  userId: z.string().nullable(),
  name: z.string().nullable().default(null),
  mode: PresenceModeSchema.nullable().default(null),
  seen: z.number().default(0),
});
export type LiveConnection = z.infer<typeof LiveConnectionSchema>;

export function connectionState(connection: Connection): LiveConnection | null {
  const parsed = LiveConnectionSchema.safeParse(connection.state);
  return parsed.success ? parsed.data : null;
}

function safeJson(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** What a client is told on connecting: the campaign, its version and status, who they are. */
export function helloFrame(store: CampaignStore, campaignId: string, you: string | null) {
  const def = store.getDef();
  return JSON.stringify({
    type: "hello",
    campaignId,
    rev: store.meta.currentRev(),
    status: def?.status ?? null,
    version: def?.version ?? null,
    you,
  });
}

/**
 * The frames that bring a client from `since` to now: rows changed after it and people
 * gone after it, in pages of PAGE_ROWS; a snapshot when the log no longer reaches back
 * that far or the replay would be larger than a reload.
 */
export function framesSince(store: CampaignStore, since: number): string[] {
  const current = store.meta.currentRev();
  if (since === current) return [];
  const def = store.getDef();
  if (!def) return [];
  if (
    store.changelog.catchUp(since) === "snapshot" ||
    store.changelog.rowsChangedSince(since) > MAX_REPLAY_ROWS
  ) {
    return [JSON.stringify({ type: "snapshot", rev: current })];
  }
  const frames: string[] = [];
  let from = since;
  for (;;) {
    const rows = store.prospects.changedSince(from, PAGE_ROWS);
    const more = rows.length === PAGE_ROWS && rows[rows.length - 1].rev < current;
    const upTo = more ? rows[rows.length - 1].rev : current;
    frames.push(
      JSON.stringify({
        type: "prospects",
        rev: upTo,
        rows: rows.map((p) => prospectRow(p, def)),
        removed: store.changelog.goneSince(from, upTo),
        more,
      }),
    );
    if (!more) return frames;
    from = upTo;
  }
}

/**
 * The catch-up for a connection opened with `?since=<rev>`: every frame it missed, then a
 * last one without `more`. Without `since` the client only follows from now.
 */
export function catchUpFrames(store: CampaignStore, url: string): string[] {
  const since = parseSince(new URL(url).searchParams.get("since"));
  if (since === null) return [];
  const frames = framesSince(store, since);
  return frames.length > 0 ? frames : [upToDateFrame(store)];
}

/** "Nothing since": the last frame of a catch-up that found nothing to send. */
function upToDateFrame(store: CampaignStore) {
  return JSON.stringify({ type: "prospects", rev: store.meta.currentRev(), rows: [], removed: [] });
}

/** Announced once per definition version: stages, settings or status changed. */
export function definitionFrame(store: CampaignStore): string | null {
  const def = store.getDef();
  if (!def || store.changelog.announcedDefVersion() === def.version) return null;
  store.changelog.announceDefVersion(def.version);
  return JSON.stringify({
    type: "campaign",
    rev: store.meta.currentRev(),
    version: def.version,
    status: def.status,
    name: def.name,
  });
}

export function presenceFrame(connections: Iterable<Connection>, now: number, leaving?: string) {
  const states: LiveConnection[] = [];
  for (const c of connections) {
    if (c.id === leaving) continue;
    const s = connectionState(c);
    if (s) states.push(s);
  }
  return JSON.stringify({ type: "presence", users: presentUsers(states, now) });
}

/** The watcher's name as the Worker passed it (URI-encoded: headers are ISO-8859-1). */
export function userNameOf(headers: Headers): string | null {
  const raw = headers.get("X-Beacon-User-Name");
  if (!raw) return null;
  try {
    return decodeURIComponent(raw).slice(0, 200);
  } catch {
    return null;
  }
}

/** The mode a connection announced in `?presence=`, if any. */
export function presenceModeOf(url: string): PresenceMode | null {
  const parsed = PresenceModeSchema.safeParse(new URL(url).searchParams.get("presence"));
  return parsed.success ? parsed.data : null;
}

const MessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("sync"), since: z.number().int().min(0) }),
  z.object({ type: z.literal("ping"), mode: PresenceModeSchema.optional() }),
]);

/**
 * A client's message: `{type:"sync", since}` answers the frames since; `{type:"ping",
 * mode?}` (the presence heartbeat) marks the connection seen and answers who is here
 * (told to everyone when the sender just arrived). Anything else is named.
 */
export function answerMessage(
  store: CampaignStore,
  connection: Connection,
  message: unknown,
  everyone: () => Iterable<Connection>,
  broadcast: (frame: string) => void,
  now: number,
) {
  const parsed = MessageSchema.safeParse(safeJson(message));
  if (!parsed.success) {
    connection.send(
      JSON.stringify({
        type: "error",
        message: "Send {type:'sync', since:<rev>} or {type:'ping', mode?:'viewing'|'editing'}",
      }),
    );
    return;
  }
  if (parsed.data.type === "sync") {
    const frames = framesSince(store, parsed.data.since);
    for (const f of frames.length > 0 ? frames : [upToDateFrame(store)]) connection.send(f);
    return;
  }
  const state = connectionState(connection) ?? LiveConnectionSchema.parse({ userId: null });
  const mode = parsed.data.mode ?? state.mode;
  const arrived = mode !== null && (state.mode !== mode || now - state.seen > PRESENCE_STALE_MS);
  connection.setState({ ...state, mode, seen: now });
  const frame = presenceFrame(everyone(), now);
  if (arrived) broadcast(frame);
  else connection.send(frame);
}

/**
 * Greets a new connection: who is watching (set by the Worker after it checked the
 * session and membership, kept so a member who leaves the team can be cut off), then
 * hello and the catch-up from `?since=`, synchronously. Answers the presence mode.
 */
export function welcome(
  store: CampaignStore,
  campaignId: string,
  connection: Connection,
  request: Request,
): { mode: PresenceMode | null } {
  const userId = request.headers.get("X-Beacon-User");
  const mode = presenceModeOf(request.url);
  connection.setState({ userId, name: userNameOf(request.headers), mode, seen: Date.now() });
  connection.send(helloFrame(store, campaignId, userId));
  for (const frame of catchUpFrames(store, request.url)) connection.send(frame);
  return { mode };
}

/** Closes a user's live connections (removed from the team): they get nothing more. */
export function closeUser(connections: Iterable<Connection>, userId: string): number {
  let closed = 0;
  for (const connection of connections) {
    if (connectionState(connection)?.userId === userId) {
      connection.close(4003, "You are no longer a member of this team");
      closed++;
    }
  }
  return closed;
}
