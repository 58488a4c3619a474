import { decideAction } from "../core/engine/actions";
import { type ProspectAction, ProspectActionSchema } from "../core/engine/schemas";
import { applyDecisions, type DecisionItem } from "./batch-apply";
import type { Host } from "./host";
import { transfer } from "./moves";
import { ok, type Result } from "./result";
import { ActorSchema, type ActResult, ActResultSchema } from "./rpc";
import { type PageKey, type Prospect, pageKeyOf, stageKey } from "./store";
import { type ActorRef, ALREADY_SENDING, actorLabel, timingOf, toState } from "./transitions";

/**
 * Actions that would make a second send of a stage already with the provider, or take the
 * person away from it: refused until the send settles. Pause, unpause, mark replied,
 * finish and remove are accepted and take effect from the next stage.
 */
const BLOCKED_WHILE_SENDING = new Set(["skip", "retry", "complete_task", "move"]);
const SENDING_REFUSAL = "Already sending: the current stage is with the provider";
/** Actions whose result the committed send does not change: said so in the answer. */
const NOTED_WHILE_SENDING = new Set(["pause", "unpause", "mark_replied", "finish"]);

/** The people an action covers, by id or by the list's filters (`all: true`). */
function idsOf(host: Host, action: ProspectAction): string[] {
  if (action.personIds) return action.personIds;
  const stage = action.filters?.stage;
  return host.store.prospects.ids({
    status: action.filters?.status,
    ...(stage === undefined ? {} : { stageId: host.store.meta.idAt(stage) }),
  });
}

/** Removed or moved people leave: their Waiting message is canceled, their history noted. */
function leave(host: Host, p: Prospect, action: ProspectAction, actor: ActorRef, now: number) {
  const current = host.store.prospects.get(p.personId);
  if (!current) return;
  const open = host.store.messages.open(current.personId, current.stageId);
  if (open) {
    host.store.messages.put({
      ...open,
      status: "canceled",
      reason: action.action === "move" ? "moved" : "removed",
    });
  }
  host.store.history.add({
    personId: current.personId,
    at: now,
    actor: actorLabel(actor),
    action: action.action,
    fromStatus: current.status,
    toStatus: null,
    reason: null,
    detail: action.toCampaignId ?? null,
  });
  host.store.prospects.delete(current.personId);
}

/** People per call of a chunked bulk action (`all: true`): no DO call runs unbounded. */
export const BULK_CHUNK = 5_000;

/** Whether an action is taken a chunk at a time (a move or add_to goes whole: one move id). */
export const isChunked = (action: ProspectAction) =>
  action.all === true && action.action !== "move" && action.action !== "add_to";

/**
 * One chunk of a bulk action with `all: true`: the next BULK_CHUNK people matching the
 * filters after `after` (enrolment order, store/prospects.ts page). `next` is where the
 * following chunk starts, null when this was the last; each chunk broadcasts its rows on
 * the campaign feed.
 */
export async function actChunk(
  host: Host,
  input: ProspectAction,
  actor: ActorRef,
  after: PageKey | null,
  limit = BULK_CHUNK,
): Promise<Result<ActResult & { next: PageKey | null }>> {
  const action = ProspectActionSchema.parse(input);
  if (!isChunked(action)) {
    throw new Error("actChunk takes an all: true action other than move/add_to");
  }
  const stage = action.filters?.stage;
  // The time zone first: the page read after it is decided on with no await between, so
  // act() takes its rows as they are instead of reading them again.
  const teamTz = await host.teamTimeZone();
  const rows = host.store.prospects.page(
    {
      status: action.filters?.status,
      ...(stage === undefined ? {} : { stageId: host.store.meta.idAt(stage) }),
    },
    after,
    limit,
  );
  const ids = rows.map((p) => p.personId);
  const result = await act(host, action, actor, ids, { teamTz, rows });
  if (!result.ok) return result;
  const last = rows[rows.length - 1];
  return ok({ ...result.value, next: rows.length === limit && last ? pageKeyOf(last) : null });
}

/**
 * A single or bulk action of DESIGN.md §1: applied where allowed, refused with the reason
 * elsewhere. `read`: the team's time zone and the people's rows, read by the caller with
 * no await since (a chunk of a bulk action).
 */
export async function act(
  host: Host,
  input: ProspectAction,
  actor: ActorRef,
  only: string[] | null = null,
  read: { teamTz: string; rows: Prospect[] } | null = null,
): Promise<Result<ActResult>> {
  const action = ProspectActionSchema.parse(input);
  ActorSchema.parse(actor);
  const def = host.store.def();
  const now = host.now();
  const teamTz = read ? read.teamTz : await host.teamTimeZone();
  const earlier =
    action.action === "move" && action.moveId ? host.store.moves.get(action.moveId) : null;
  if (earlier?.state === "done") {
    // Idempotent by move id: a repeat answers what the first did and moves nobody.
    return ok(ActResultSchema.parse(JSON.parse(earlier.result)));
  }
  // A move interrupted after its intent was written goes on with the same people.
  const resuming = earlier?.state === "pending" ? new Set(earlier.personIds) : new Set<string>();
  const ids = earlier?.state === "pending" ? earlier.personIds : (only ?? idsOf(host, action));
  const found = new Map(
    (read?.rows ?? host.store.prospects.getMany(ids)).map((p) => [p.personId, p]),
  );
  const sendingNow = host.store.messages.sendingOf([...found.keys()]);
  const result: ActResult = { applied: [], refused: [], notes: [] };
  const changed: Prospect[] = [];
  const leaving: Prospect[] = [];
  const transferring: Prospect[] = [];
  const deciding: DecisionItem[] = [];
  for (const id of ids) {
    const p = found.get(id);
    if (!p) {
      result.refused.push({ personId: id, reason: "not_found" });
      continue;
    }
    const sending = sendingNow.has(stageKey(p.personId, p.stageId));
    if (sending && BLOCKED_WHILE_SENDING.has(action.action) && !resuming.has(id)) {
      result.refused.push({ personId: id, reason: SENDING_REFUSAL });
      continue;
    }
    const d = decideAction(toState(p), action.action, def.stages, now, timingOf(def, p, teamTz));
    if (!d.ok && !resuming.has(id)) {
      result.refused.push({ personId: id, reason: d.reason });
      continue;
    }
    if (action.action === "remove") {
      result.applied.push(id);
      leaving.push(p);
      continue;
    }
    if (action.action === "move" || action.action === "add_to") {
      transferring.push(p);
      continue;
    }
    deciding.push({
      p,
      decision: d,
      sending,
      bypassValidation:
        action.action === "retry" ? (action.bypassValidation ?? false) : p.bypassValidation,
    });
  }
  // Written per batch (batch-apply.ts), row by row the same as applyDecision.
  const decided = deciding.filter((x) => x.decision.ok);
  for (const [i, stored] of applyDecisions(host.store, def, decided, actor, now).entries()) {
    const { p, sending } = decided[i];
    changed.push(stored);
    result.applied.push(p.personId);
    if (sending && NOTED_WHILE_SENDING.has(action.action)) {
      result.notes.push({ personId: p.personId, note: ALREADY_SENDING });
    }
  }
  if (transferring.length > 0 && (action.action === "move" || action.action === "add_to")) {
    const moved = await transfer(
      host,
      { action: action.action, toCampaignId: action.toCampaignId ?? "", moveId: action.moveId },
      actor,
      transferring,
    );
    if (!moved.ok) return moved;
    const enrolled = new Set(moved.value);
    for (const p of transferring) {
      if (!enrolled.has(p.personId)) {
        result.refused.push({ personId: p.personId, reason: "already_enrolled" });
        continue;
      }
      result.applied.push(p.personId);
      if (action.action === "move") leaving.push(p);
    }
  }
  for (const p of leaving) leave(host, p, action, actor, now);
  if (action.action === "move" && action.moveId) {
    host.store.moves.finish(action.moveId, JSON.stringify(result));
  }
  await host.afterChange(
    changed,
    leaving.map((p) => p.personId),
  );
  return ok(result);
}
