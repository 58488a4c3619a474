import { enrolledState } from "../core/engine/actions";
import type { ProspectState } from "../core/engine/prospect";
import { TimeZoneSchema } from "../core/people";
import type { Host } from "./host";
import { ActorSchema, EnrollPeopleSchema, type EnrollPerson } from "./rpc";
import type {
  CampaignDef,
  CampaignStore,
  HistoryEntry,
  Message,
  NewMessage,
  Prospect,
} from "./store";
import {
  type ActorRef,
  actorLabel,
  fromState,
  isSendStage,
  timingOf,
  waitingMessage,
} from "./transitions";

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
 * an "enroll" entry, and opens their Waiting message. Returns the stored prospects. Writes
 * per batch, not per prospect: the prospects, their history and their messages each in
 * one statement per 1.5 MB (jsonb_each), whatever the count.
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
  const admitted = store.prospects.insert(rows, now);
  const byId = new Map(arrivals.map((a) => [a.personId, a]));
  const entries: HistoryEntry[] = [];
  for (const p of admitted) {
    entries.push(...(byId.get(p.personId)?.history ?? []), {
      personId: p.personId,
      at: now,
      actor: actorLabel(actor),
      action: "enroll",
      fromStatus: null,
      toStatus: p.status,
      reason: p.reason,
      detail: note,
    });
  }
  store.history.addMany(entries);
  openWaiting(store, def, admitted, now);
  return admitted;
}

/**
 * syncWaiting(null → p) for many arrivals at once: one Waiting message for each one Active
 * and scheduled at an email/SMS stage (an open one of that stage is reused), written in
 * one statement.
 */
function openWaiting(store: CampaignStore, def: CampaignDef, arrivals: Prospect[], now: number) {
  const wanting = arrivals.filter(
    (p) => p.status === "active" && p.nextAt !== null && isSendStage(def.stages[p.stageIndex]),
  );
  const open = new Map<string, Message>();
  for (const m of store.messages.openOfMany(wanting.map((p) => p.personId))) {
    open.set(`${m.personId}\n${m.stageId}`, m);
  }
  const writes: NewMessage[] = [];
  for (const p of wanting) {
    const stage = def.stages[p.stageIndex];
    if (!stage || !p.stageId) continue;
    const message = waitingMessage(open.get(`${p.personId}\n${stage.id}`) ?? null, p, stage, now);
    if (message) writes.push(message);
  }
  store.messages.putMany(writes);
}

/** The enroll RPC: people at the first stage; someone already in the campaign is refused. */
export async function enroll(
  host: Host,
  peopleInput: EnrollPerson[],
  actor: ActorRef,
  teamTimeZone: string | undefined,
) {
  const people = EnrollPeopleSchema.parse(peopleInput);
  ActorSchema.parse(actor);
  const def = host.store.def();
  const now = host.now();
  const teamTz =
    teamTimeZone === undefined ? await host.teamTimeZone() : TimeZoneSchema.parse(teamTimeZone);
  // The first stage's state depends only on the time zone: computed once per zone, not
  // per person (10,000 people are a handful of zones; each state is a few Intl calls).
  const byZone = new Map<string, ProspectState>();
  const arrivals = people.map((p) => {
    const timing = timingOf(def, p, teamTz);
    let state = byZone.get(timing.timeZone);
    if (!state) {
      state = enrolledState(def.stages, now, timing);
      byZone.set(timing.timeZone, state);
    }
    return { ...p, state: { ...state }, history: [] };
  });
  const admitted = admit(host.store, def, arrivals, actor, now, null);
  const inserted = new Set(admitted.map((p) => p.personId));
  await host.afterChange(admitted);
  return {
    enrolled: [...inserted],
    refused: people
      .filter((p) => !inserted.has(p.personId))
      .map((p) => ({ personId: p.personId, reason: "already_enrolled" })),
  };
}
