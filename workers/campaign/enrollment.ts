import type { ProspectState } from "../core/engine/prospect";
import type { CampaignDef, CampaignStore, HistoryEntry, Prospect } from "./store";
import { type ActorRef, actorLabel, fromState, syncWaiting } from "./transitions";

/** Someone joining the campaign: enrolled, added from another campaign, or moved with history. */
export type Arrival = {
  personId: string;
  name: string;
  timeZone: string | null;
  state: ProspectState;
  /** Earlier history (a move brings it along). */
  history: HistoryEntry[];
};

/**
 * Inserts the arrivals not in the campaign yet, at the state given, with their history and
 * an "enroll" entry, and opens their Waiting message. Returns the stored prospects.
 */
export function admit(
  store: CampaignStore,
  def: CampaignDef,
  arrivals: Arrival[],
  actor: ActorRef,
  now: number,
  note: string | null,
): Prospect[] {
  const rows = arrivals.map((a) => {
    const blank: Prospect = {
      personId: a.personId,
      name: a.name,
      status: "active",
      reason: null,
      reasonDetail: null,
      stageId: null,
      stageIndex: 0,
      stageEnteredAt: now,
      nextAt: null,
      dueAt: null,
      attempt: 0,
      bypassValidation: false,
      timeZone: a.timeZone,
      enrolledAt: now,
      updatedAt: now,
      rev: 0,
    };
    const {
      stageIndex: _derived,
      updatedAt: _u,
      rev: _r,
      ...stored
    } = fromState(blank, a.state, def.stages);
    return stored;
  });
  const inserted = store.prospects.insert(rows, now);
  const byId = new Map(arrivals.map((a) => [a.personId, a]));
  const admitted: Prospect[] = [];
  for (const p of store.prospects.getMany(inserted)) {
    for (const e of byId.get(p.personId)?.history ?? []) store.history.add(e);
    store.history.add({
      personId: p.personId,
      at: now,
      actor: actorLabel(actor),
      action: "enroll",
      fromStatus: null,
      toStatus: p.status,
      reason: p.reason,
      detail: note,
    });
    syncWaiting(store, def, null, p, now, null);
    admitted.push(p);
  }
  return admitted;
}
