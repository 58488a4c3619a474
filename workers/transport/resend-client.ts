import { Resend } from "resend";

/** Clients kept per isolate; past this many keys the oldest is dropped (tests use many). */
const MAX_CLIENTS = 32;
const clients = new Map<string, Resend>();

/**
 * The SDK client for a key and base URL, made once per isolate. The client holds no state
 * between requests (each call copies its headers), but its constructor reads `process.env`
 * three times, which workerd's Node compatibility pays for on every read: every alarm of
 * every campaign used to build one.
 */
export function resendClient(account: { apiKey: string; baseUrl?: string }): Resend {
  const key = `${account.apiKey}\n${account.baseUrl ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new Resend(account.apiKey, account.baseUrl ? { baseUrl: account.baseUrl } : undefined);
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
    clients.set(key, client);
  }
  return client;
}
