import type { OutgoingEmail, OutgoingSms } from "../core/engine/outgoing";

export {
  type OutgoingEmail,
  OutgoingEmailSchema,
  type OutgoingSms,
  OutgoingSmsSchema,
} from "../core/engine/outgoing";

export type SendResult =
  | { id: string; ok: true; providerId: string | null }
  | {
      id: string;
      ok: false;
      /** permanent: the provider refused this message; transient: try again later. */
      kind: "permanent" | "transient" | "rate_limited";
      reason: "invalid_recipient" | "provider_rejected" | null;
      message: string;
      retryAfterMs?: number;
    }
  | {
      id: string;
      ok: false;
      /**
       * Not sent: this provider key's next request slot for it is further away than a
       * wait in-process. Come back at `at` (engine clock, ms; exact, no jitter: the slot
       * is held for this batch key) and send again. Not a failure: count nothing.
       */
      kind: "paced";
      at: number;
      reason: null;
      message: string;
    };

export interface Transport {
  /** Sends emails due together under one batch key; answers per message, in any order. */
  sendEmails(emails: OutgoingEmail[], batchKey: string): Promise<SendResult[]>;
  sendSms(messages: OutgoingSms[]): Promise<SendResult[]>;
  /**
   * Gives back the request slot held for a batch answered "paced" that will not be sent
   * after all (stopped, removed, its members gone), so another campaign gets it now.
   */
  handBack?(batchKey: string): Promise<void>;
  /**
   * Takes a place in the provider's queue for a batch about to be prepared, so that its
   * turn counts from now rather than from when it is ready (paced providers only).
   */
  hold?(batchKey: string): Promise<number>;
}
