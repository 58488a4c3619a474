import { getServerByName } from "partyserver";
import { enrolledState, movedState } from "../core/engine/actions";
import { admit } from "./enrollment";
import type { Host } from "./host";
import { invalid, ok, type Result } from "./result";
import { ActorSchema, type IncomingPerson, ReceiveSchema } from "./rpc";
import type { Prospect } from "./store";
import { type ActorRef, timingOf } from "./transitions";

/** What the other campaign needs to enroll someone added or moved (a move brings history). */
function incoming(host: Host, p: Prospect, moving: boolean): IncomingPerson {
  return {
    personId: p.personId,
    name: p.name,
    timeZone: p.timeZone,
    keep:
      moving && (p.status === "complete" || p.status === "unsubscribed")
        ? { status: p.status, reason: p.reason }
        : null,
    history: moving ? host.store.history.of(p.personId) : [],
  };
}

/**
 * add_to / move: enrolls the people in another campaign of the same team. A move writes
 * its intent under its move id before asking the target, and the target keeps a receipt
 * per move id, so a move retried after a crash at any step completes instead of finding
 * the people "already enrolled". Returns who the target enrolled.
 */
export async function transfer(
  host: Host,
  action: { action: "add_to" | "move"; toCampaignId: string; moveId?: string },
  actor: ActorRef,
  people: Prospect[],
): Promise<Result<string[]>> {
  const def = host.store.def();
  const targetId = action.toCampaignId;
  if (targetId === def.id) return invalid("Choose another campaign than this one");
  const target = await getServerByName(host.env.Campaign, targetId);
  if ((await target.definition())?.teamId !== def.teamId) {
    return invalid("The other campaign does not exist in this team");
  }
  const moving = action.action === "move";
  const moveId = moving ? (action.moveId ?? null) : null;
  if (moveId) {
    host.store.moves.begin(
      moveId,
      targetId,
      people.map((p) => p.personId),
    );
    await host.fault("move_after_intent");
  }
  // Re-read after the await: only those still here go.
  const here = host.store.prospects.getMany(people.map((p) => p.personId));
  const answer = await target.receive(
    here.map((p) => incoming(host, p, moving)),
    actor,
    moving ? `moved from ${def.id}` : `added from ${def.id}`,
    moveId,
  );
  if (moveId) await host.fault("move_after_receive");
  return ok(answer.enrolled);
}

/**
 * The receiving side of add_to / move: enrolls who is not here yet, with their history.
 * Idempotent by move id: a repeat answers whom the first call enrolled.
 */
export async function receive(
  host: Host,
  people: IncomingPerson[],
  actor: ActorRef,
  note: string,
  moveId: string | null,
): Promise<{ enrolled: string[] }> {
  const args = ReceiveSchema.parse({ people, note, moveId });
  ActorSchema.parse(actor);
  const def = host.store.def();
  if (args.moveId) {
    const earlier = host.store.moves.receipt(args.moveId);
    if (earlier) return { enrolled: earlier };
  }
  const now = host.now();
  const teamTz = await host.teamTimeZone();
  const arrivals = args.people.map((p) => {
    const timing = timingOf(def, p, teamTz);
    const fresh = enrolledState(def.stages, now, timing);
    const state = p.keep ? movedState({ ...fresh, ...p.keep }, def.stages, now, timing) : fresh;
    return { ...p, state };
  });
  // No await from here to the receipt: the enrollment and its receipt commit together.
  const admitted = admit(host.store, def, arrivals, actor, now, args.note);
  const enrolled = admitted.map((p) => p.personId);
  if (args.moveId) host.store.moves.putReceipt(args.moveId, enrolled);
  await host.afterChange(admitted);
  return { enrolled };
}
