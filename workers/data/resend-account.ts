import { config } from "../env";
import { engineHooks } from "../testing/hooks";

/** How long a domain or confirmation call to Resend may take before it counts as failed. */
export const RESEND_CALL_TIMEOUT_MS = 10_000;

/**
 * The Resend account Beacon sends through: the test hook's (the same one the Campaign DO
 * sends with, so a test sees domains and campaign mail in one fake), else the configured
 * key; null means the local sink, where every mailbox can send.
 */
export function resendAccount(env: Env): { apiKey: string; baseUrl?: string } | null {
  if (engineHooks.resend) {
    return { apiKey: engineHooks.resend.apiKey, baseUrl: engineHooks.resend.baseUrl };
  }
  const cfg = config(env);
  return cfg.RESEND_API_KEY ? { apiKey: cfg.RESEND_API_KEY, baseUrl: cfg.RESEND_BASE_URL } : null;
}

export { resendClient } from "../transport/resend-client";

/** The SDK's error object, in words for the user. */
export type ProviderFailure = { kind: "unreachable" | "refused"; message: string };

export function providerFailure(error: {
  message: string;
  statusCode: number | null;
}): ProviderFailure {
  // The SDK reports network failures and timeouts with statusCode null.
  if (error.statusCode == null) return { kind: "unreachable", message: error.message };
  if (error.statusCode >= 500) {
    return { kind: "unreachable", message: `${error.message} (HTTP ${error.statusCode})` };
  }
  return { kind: "refused", message: `${error.message} (HTTP ${error.statusCode})` };
}

export const callOptions = () => ({ signal: AbortSignal.timeout(RESEND_CALL_TIMEOUT_MS) });
