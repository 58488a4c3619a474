import { afterFailure } from "../core/engine/actions";
import type { Host } from "./host";
import { act } from "./prospect-actions";
import { conflict, notFound, ok, type Result } from "./result";
import { type ActorRef, applyDecision, toState } from "./transitions";
import { messageRow } from "./views";

/** The red X: a Waiting message becomes Canceled and its prospect Not Delivered (`canceled`). */
export async function cancelMessage(
  host: Host,
  messageId: string,
  actor: ActorRef,
): Promise<Result<ReturnType<typeof messageRow>>> {
  const def = host.store.def();
  const m = host.store.messages.get(messageId);
  if (!m) return notFound("No such message");
  if (m.status === "sending") {
    return conflict(
      "Already sending: this message is with the email provider and cannot be canceled",
    );
  }
  if (m.status !== "waiting") {
    return conflict(`Only a Waiting message can be canceled; this one is ${m.status}`);
  }
  const p = host.store.prospects.get(m.personId);
  const changed = [];
  if (p?.status !== "active" || p.stageId !== m.stageId) {
    host.store.messages.put({ ...m, status: "canceled", reason: "canceled" });
  } else {
    const d = afterFailure(toState(p), "canceled", { detail: "Canceled in the Email Log" });
    const stored = applyDecision(host.store, def, p, d, actor, host.now());
    if (stored) changed.push(stored);
  }
  await host.afterChange(changed);
  return ok(messageRow(host.store.messages.get(messageId) ?? m, def));
}

/** Retry from the Email Log: the prospect's retry action (optionally bypassing validation). */
export async function retryMessage(
  host: Host,
  messageId: string,
  bypassValidation: boolean,
  actor: ActorRef,
): Promise<Result<ReturnType<typeof messageRow>>> {
  const m = host.store.messages.get(messageId);
  if (!m) return notFound("No such message");
  const result = await act(
    host,
    { action: "retry", personIds: [m.personId], bypassValidation },
    actor,
  );
  if (!result.ok) return result;
  const refusal = result.value.refused[0];
  if (refusal) {
    return conflict(
      refusal.reason === "not_found"
        ? "This person is no longer in the campaign, so the message cannot be retried"
        : refusal.reason,
    );
  }
  const latest = host.store.messages
    .of(m.personId)
    .filter((x) => x.stageId === m.stageId)
    .pop();
  return ok(messageRow(latest ?? m, host.store.def()));
}
