import type { Connection } from "partyserver";
import { z } from "zod";
import type { CampaignStore, Prospect } from "./store";
import { prospectRow } from "./views";

/** A catch-up frame holds at most this many rows; `more` says another follows. */
const CATCH_UP_ROWS = 1_000;

const SyncSchema = z.object({ type: z.literal("sync"), since: z.number().int().min(0) });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The frame of a change: the rows as they are now, and who left. */
export function changeFrame(store: CampaignStore, changed: Prospect[], removed: string[]) {
  const def = store.def();
  return JSON.stringify({
    type: "prospects",
    rev: store.meta.currentRev(),
    rows: changed.map((p) => prospectRow(p, def)),
    removed,
  });
}

/** What a client is told on connecting: the campaign, its version and status. */
export function helloFrame(store: CampaignStore, campaignId: string) {
  return JSON.stringify({
    type: "hello",
    campaignId,
    rev: store.meta.currentRev(),
    status: store.getDef()?.status ?? null,
  });
}

/** Answers a client's `{type:"sync", since}` with the rows changed since; anything else is named. */
export function answerSync(store: CampaignStore, connection: Connection, message: unknown) {
  const parsed = SyncSchema.safeParse(typeof message === "string" ? safeJson(message) : null);
  if (!parsed.success) {
    connection.send(JSON.stringify({ type: "error", message: "Send {type:'sync', since:<rev>}" }));
    return;
  }
  const def = store.getDef();
  if (!def) return;
  const rows = store.prospects.changedSince(parsed.data.since, CATCH_UP_ROWS);
  const more = rows.length === CATCH_UP_ROWS;
  connection.send(
    JSON.stringify({
      type: "prospects",
      rev: more ? rows[rows.length - 1].rev : store.meta.currentRev(),
      rows: rows.map((p) => prospectRow(p, def)),
      removed: [],
      more,
    }),
  );
}
