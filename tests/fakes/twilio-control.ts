// Client helpers for the fake Twilio's control API (see twilio-server.ts). They use only
// fetch, so they run in Node (benches, globalSetup) and inside workerd (tests) alike.

import { z } from "zod";
import {
  type TwilioConfig,
  TwilioConfigSchema,
  type TwilioControl,
  type TwilioStats,
  TwilioStatsSchema,
} from "./twilio-fake-api";

export type TwilioAccount = { accountSid: string; authToken: string };

async function call(
  url: string,
  a: TwilioAccount,
  path: string,
  init: RequestInit,
): Promise<unknown> {
  const res = await fetch(new URL(path, url), {
    ...init,
    headers: {
      authorization: `Basic ${btoa(`${a.accountSid}:${a.authToken}`)}`,
      "content-type": "application/json",
    },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake Twilio ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Scripts the faults of the account's namespace; returns its whole configuration afterwards. */
export async function twilioControl(
  url: string,
  a: TwilioAccount,
  body: TwilioControl,
): Promise<TwilioConfig> {
  const answer = await call(url, a, "/__control", { method: "POST", body: JSON.stringify(body) });
  return z.object({ config: TwilioConfigSchema }).parse(answer).config;
}

/** Counters and created messages of the account's namespace. */
export async function twilioStats(url: string, a: TwilioAccount): Promise<TwilioStats> {
  return TwilioStatsSchema.parse(await call(url, a, "/__stats", { method: "GET" }));
}

/** Forgets everything the fake holds for the account. */
export async function twilioReset(url: string, a: TwilioAccount): Promise<void> {
  await call(url, a, "/__reset", { method: "POST" });
}

export type { FakeSms, TwilioConfig, TwilioControl, TwilioStats } from "./twilio-fake-api";
