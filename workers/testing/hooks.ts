import type { Transport } from "../transport/types";

/** The points of the send path (and of a move) where a test can inject a fault (throw) or a crash. */
export type FaultStep =
  | "after_reserve"
  | "before_send"
  | "after_send"
  | "before_record"
  | "move_after_intent"
  | "move_after_receive";

const HOOKS = Symbol.for("beacon.engineHooks");

/**
 * The Remix server build carries its own copy of this module, so a module-level object
 * would be two objects; keeping it on globalThis lets pages see the hooks a test sets too.
 */
function oneHooksObjectPerIsolate<T extends object>(): T {
  const g = globalThis as { [HOOKS]?: object };
  g[HOOKS] ??= {};
  return g[HOOKS] as T;
}

/**
 * Test-only hooks into the engine. Tests, the Worker and its Durable Objects share one
 * isolate under the vitest plugin, so a test sets these and the DOs see them. Production
 * never sets them: every hook is undefined and costs one property read.
 */
export const engineHooks: {
  /** Replaces or wraps the transport a campaign sends through. */
  transport?: (base: Transport) => Transport;
  /**
   * Called at each step of a send: throw to simulate an error there, or call `crash()` to
   * reset the Durable Object on the spot (its in-memory state is lost, storage is kept).
   */
  fault?: (step: FaultStep, campaignId: string, crash: () => void) => Promise<void> | void;
  /** Sends through Resend at this URL and key instead of the configured transport. */
  resend?: { apiKey: string; baseUrl: string; ratePerSecond?: number };
  /** Sends SMS through Twilio at this URL and account instead of the configured transport. */
  twilio?: {
    accountSid: string;
    authToken: string;
    from: string;
    baseUrl: string;
    /** How long the Twilio transport waits for an answer (tests make timeouts quick). */
    timeoutMs?: number;
  };
  /**
   * Awaited before an alarm reads the team's time zone from D1: a test holds it open to
   * land an action while the alarm waits there, as a slow D1 read would let one land.
   */
  beforeTeamTimeZone?: (campaignId: string) => Promise<void>;
  /** Called before each D1 mirror write; throw to simulate D1 failing. */
  beforeMirrorWrite?: (campaignId: string) => void;
  /** How long the Resend transport waits for an answer (tests make timeouts quick). */
  providerTimeoutMs?: number;
  /**
   * False: the API's per-key and per-team rate limits are not applied. For tests that make
   * hundreds of calls in a few milliseconds about something else (the isolation walk);
   * tests/rate-limits.test.ts covers the limits themselves.
   */
  apiRateLimits?: boolean;
  /** Called with each D1 statement as it is bound (tests read back its query plan). */
  onD1Statement?: (sql: string, values: unknown[]) => void;
  /** Called with each statement a Campaign DO runs on its own SQLite, as onD1Statement. */
  onCampaignStatement?: (sql: string, values: unknown[]) => void;
} = oneHooksObjectPerIsolate();

export function resetEngineHooks(): void {
  engineHooks.transport = undefined;
  engineHooks.fault = undefined;
  engineHooks.resend = undefined;
  engineHooks.twilio = undefined;
  engineHooks.beforeMirrorWrite = undefined;
  engineHooks.providerTimeoutMs = undefined;
  engineHooks.apiRateLimits = undefined;
  engineHooks.onD1Statement = undefined;
  engineHooks.onCampaignStatement = undefined;
}
