import type { ReserveAnswer, ReserveArgs } from "../../account";
import { afterFailure } from "../../core/engine/actions";
import { planRetry } from "../../core/engine/retries";
import type { Reason } from "../../core/engine/statuses";
import type { AddressValidator } from "../../core/engine/validate";
import type { FaultStep } from "../../testing/hooks";
import type { SmsTransport } from "../../transport/sms";
import type { Transport } from "../../transport/types";
import type { CampaignDef, CampaignStore, Message, Prospect } from "../store";
import { applyDecision, SYSTEM, toState } from "../transitions";

/** Due prospects taken per alarm: bounded, so one alarm stays far inside 30 s of CPU. */
export const BATCH_SIZE = 100;

/** Resend keeps idempotency keys 24 h: no request goes under a key first tried longer ago. */
export const RETRY_WINDOW_MS = 23 * 60 * 60 * 1000;

/** Said when a committed send is given up without knowing whether it left. */
export const MAY_HAVE_BEEN_DELIVERED =
  "no definite answer from the provider within 23 hours; it may or may not have been delivered";

export type QuotaClient = {
  reserve(args: ReserveArgs): Promise<ReserveAnswer>;
  release(args: { reservationId: string; n: number }): Promise<number>;
};

export type PipelineContext = {
  d1: D1Database;
  store: CampaignStore;
  /** Read from storage on every use: an edit may land while the pipeline awaits. */
  readonly def: CampaignDef;
  /**
   * The team's time zone, read at most once per alarm and only by an alarm that needs it:
   * `teamTimeZone()` reads it (a batch's own D1 read brings it along: `knowTeamTimeZone`),
   * and the getter throws if nothing has read it yet.
   */
  readonly teamTz: string;
  teamTimeZone(): Promise<string>;
  knowTeamTimeZone(tz: string): void;
  now: () => number;
  quota: QuotaClient;
  transport: Transport;
  /** How SMS leave: Twilio when configured, else the sink. */
  sms: SmsTransport;
  validate: AddressValidator;
  /** Base of tracking and unsubscribe links; its host names our Message-IDs. */
  publicUrl: string;
  /** Where replies are captured (reply+<token>@INBOUND_DOMAIN); none → the mailbox's own address. */
  inboundDomain: string | null;
  /** Signs reply and unsubscribe tokens. */
  secret: string;
  /** Test-only: called at each step of a send so a test can throw or evict there. */
  fault?: (step: FaultStep) => Promise<void> | void;
};

/**
 * When an in-flight message goes again after a transient answer (a 429 waits its
 * retry-after; anything else backs off), or why it does not: out of attempts, or past the
 * provider's retry window since its first try (`tooLate`).
 */
export function retryInFlight(
  m: Message,
  answer: { kind: string; retryAfterMs?: number },
  now: number,
  jitter: number,
): { at: number; countsAsAttempt: boolean } | { at: null; tooLate: boolean } {
  const plan = planRetry({
    error:
      answer.kind === "rate_limited"
        ? { kind: "rate_limited", retryAfterMs: answer.retryAfterMs }
        : { kind: "server_error" },
    failures: m.failures,
    now,
    jitter,
  });
  if (!plan.retry) return { at: null, tooLate: false };
  if (plan.at - (m.firstTryAt ?? now) > RETRY_WINDOW_MS) return { at: null, tooLate: true };
  return { at: plan.at, countsAsAttempt: plan.countsAsAttempt };
}

/** The pipeline's own hold or failure of a prospect (DESIGN.md §1 automatic moves). */
export function holdOrFail(
  c: PipelineContext,
  p: Prospect,
  reason: Reason,
  detail?: string,
  to?: string,
) {
  const open = c.store.messages.open(p.personId, p.stageId);
  const decision = afterFailure(toState(p), reason, { detail });
  const stored = applyDecision(c.store, c.def, p, decision, SYSTEM, c.now(), {
    reasonDetail: detail ?? null,
  });
  if (stored && open && reason === "validation_failed") {
    // Held by validation, not canceled: a retry (optionally bypassing validation) sends it.
    c.store.messages.put({
      ...open,
      status: "held",
      reason: "validation_failed",
      to: to ?? open.to,
    });
  }
}

/** A committed send ends Failed `too_many_retries`, and so does its prospect if still there. */
export function giveUp(c: PipelineContext, message: Message, detail: string) {
  const m = c.store.messages.get(message.id);
  if (m?.status !== "sending") return;
  c.store.messages.put({
    ...m,
    status: "failed",
    reason: `too_many_retries: ${detail}`,
    retryAt: null,
  });
  const p = c.store.prospects.get(m.personId);
  if (p && p.stageId === m.stageId) {
    const d = afterFailure(toState(p), "too_many_retries", { detail });
    applyDecision(c.store, c.def, p, d, SYSTEM, c.now(), { reasonDetail: detail });
  }
}
