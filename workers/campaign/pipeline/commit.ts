import type { OutgoingEmail, OutgoingSms } from "../../transport/types";
import { type Message, type NewMessage, type Prospect, stageKey } from "../store";
import type { PipelineContext } from "./context";
import { reservationIdFor } from "./quota";

export type Commit = {
  p: Prospect;
  stageId: string;
  channel: "email" | "sms";
  payload: OutgoingEmail | OutgoingSms;
  to: string;
  subject: string | null;
  mailboxId: string | null;
};

/**
 * Persists the attempts (payload + idempotency key) BEFORE the provider call. From here
 * the members are committed: a cancel answers 409, a pause applies from the next stage.
 * Re-reads each prospect first: a pause, cancel or stage edit during the quota call wins,
 * and a stage that already has a send in flight never gets a second one.
 */
export function commit(
  c: PipelineContext,
  items: Commit[],
  batchId: string,
  quotaId: string,
): Message[] {
  const now = c.now();
  const writes: NewMessage[] = [];
  const moved: Prospect[] = [];
  const used = new Map<string, number>();
  // Everything below runs without an await: the batch's rows are written together, one
  // statement for the messages and one for the prospects (each prospect is here once).
  const current = new Map(
    c.store.prospects.getMany(items.map((i) => i.p.personId)).map((p) => [p.personId, p]),
  );
  const ids = [...current.keys()];
  const sending = c.store.messages.sendingOf(ids);
  const opens = c.store.messages.openByStage(ids);
  for (const item of items) {
    const p = current.get(item.p.personId);
    if (p?.status !== "active" || p.stageId !== item.stageId || p.nextAt === null) continue;
    // One send per stage: a second item for the same person waits for the next batch.
    if (!current.delete(p.personId)) continue;
    if (sending.has(stageKey(p.personId, p.stageId))) continue;
    const open = opens.get(stageKey(p.personId, p.stageId));
    writes.push({
      id: item.payload.id,
      personId: p.personId,
      stageId: item.stageId,
      stageIndex: p.stageIndex,
      channel: item.channel,
      attempt: p.attempt,
      status: "sending",
      reason: null,
      to: item.to,
      mailboxId: item.mailboxId,
      subject: item.subject,
      scheduledAt: open?.scheduledAt ?? p.nextAt,
      sentAt: null,
      messageId:
        item.channel === "email" ? (item.payload as OutgoingEmail).headers["Message-ID"] : null,
      providerId: null,
      idempotencyKey: item.payload.idempotencyKey,
      batchId,
      payload: JSON.stringify(item.payload),
      createdAt: open?.createdAt ?? now,
      failures: 0,
      firstTryAt: now,
      retryAt: null,
    });
    // In flight: not due again until the answer is recorded.
    moved.push({ ...p, name: item.p.name || p.name, timeZone: item.p.timeZone, nextAt: null });
    if (item.mailboxId) {
      const rid = reservationIdFor(c.def.id, quotaId, item.mailboxId);
      used.set(rid, (used.get(rid) ?? 0) + 1);
    }
  }
  const out = c.store.messages.putMany(writes);
  c.store.prospects.updateMany(moved, now);
  const reservations = new Set(
    items.flatMap((i) => (i.mailboxId ? [reservationIdFor(c.def.id, quotaId, i.mailboxId)] : [])),
  );
  for (const rid of reservations) {
    const r = c.store.reservations.get(rid);
    if (!r || r.granted === null) continue;
    const n = used.get(rid) ?? 0;
    c.store.reservations.put({ ...r, used: n, state: n < r.granted ? "releasing" : "used" });
  }
  return out;
}
