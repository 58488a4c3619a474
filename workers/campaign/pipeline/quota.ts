import { afterFailure } from "../../core/engine/actions";
import { applyDecision, SYSTEM, toState } from "../transitions";
import type { PipelineContext } from "./context";

/** The reservation id of one mailbox's share of one batch. */
/** One per mailbox and pipeline run: never reused, so a settled reservation stays settled. */
export const reservationIdFor = (campaignId: string, quotaId: string, mailboxId: string) =>
  `${campaignId}:${quotaId}:${mailboxId}`;

type Wanting = {
  p: { personId: string; stageId: string | null };
  mailbox: { id: string; dailyCap: number | null };
};

/**
 * Reserves quota per mailbox (one call per mailbox of the batch) under an id persisted
 * first; those over the limit are held (defer) or failed (fail). Returns those granted.
 */
export async function reserveQuota<T extends Wanting>(
  c: PipelineContext,
  emails: T[],
  quotaId: string,
): Promise<T[]> {
  const byMailbox = new Map<string, T[]>();
  for (const e of emails) byMailbox.set(e.mailbox.id, [...(byMailbox.get(e.mailbox.id) ?? []), e]);
  const granted: T[] = [];
  for (const [mailboxId, group] of byMailbox) {
    const id = reservationIdFor(c.def.id, quotaId, mailboxId);
    const base = { id, mailboxId, n: group.length, used: 0, createdAt: c.now() };
    c.store.reservations.put({ ...base, granted: null, state: "reserving" });
    const answer = await c.quota.reserve({
      reservationId: id,
      n: group.length,
      mailboxId,
      mailboxCap: group[0].mailbox.dailyCap,
    });
    c.store.reservations.put({ ...base, granted: answer.granted, state: "granted" });
    granted.push(...group.slice(0, answer.granted));
    for (const over of group.slice(answer.granted)) {
      const p = c.store.prospects.get(over.p.personId);
      if (p?.status !== "active" || p.stageId !== over.p.stageId) continue;
      const at = new Date(answer.resetsAt).toISOString();
      const d =
        answer.onLimit === "defer"
          ? afterFailure(toState(p), "throttled", { resumeAt: answer.resetsAt, detail: at })
          : afterFailure(toState(p), "email_limit");
      applyDecision(c.store, c.def, p, d, SYSTEM, c.now(), {
        reasonDetail: answer.onLimit === "defer" ? at : null,
      });
    }
  }
  return granted;
}

/**
 * Settles reservations a crash or a change of plans left open: anything granted but not
 * used goes back to the team's allowance (the Account DO's release is idempotent).
 */
export async function settleReservations(c: PipelineContext) {
  for (const r of c.store.reservations.open()) {
    let granted = r.granted;
    if (r.state === "reserving" || granted === null) {
      const answer = await c.quota.reserve({
        reservationId: r.id,
        n: r.n,
        mailboxId: r.mailboxId,
        mailboxCap: null,
      });
      granted = answer.granted;
    }
    const unused = granted - r.used;
    if (unused > 0) await c.quota.release({ reservationId: r.id, n: unused });
    c.store.reservations.put({ ...r, granted, state: "done" });
  }
}
