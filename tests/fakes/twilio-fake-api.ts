// Shapes of the fake Twilio's control API, shared by the server (Node) and the client
// helpers (Node or workerd). Only zod: both sides load this file.

import { z } from "zod";

const MAX_TIMEOUT_MS = 600_000;
const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "a number such as +15550102030");

/** One scripted answer to a send (POST Messages.json), consumed by the next one. */
export const SendFaultSchema = z.union([
  z.strictObject({
    status: z.literal([429, 500, 503]),
    retryAfter: z.number().int().min(0).max(86_400).optional(),
  }),
  /** Creates the message, then holds the answer this long (the caller times out not knowing). */
  z.strictObject({ timeoutMs: z.number().positive().max(MAX_TIMEOUT_MS) }),
  /** Creates the message, then answers 500. */
  z.strictObject({ acceptThenFail: z.literal(500) }),
]);
export type SendFault = z.infer<typeof SendFaultSchema>;

/** One scripted answer to a list (GET Messages.json). */
export const LookupFaultSchema = z.union([
  z.strictObject({ status: z.literal([429, 500, 503]) }),
  /** Holds the request this long, then answers normally. */
  z.strictObject({ timeoutMs: z.number().positive().max(MAX_TIMEOUT_MS) }),
]);
export type LookupFault = z.infer<typeof LookupFaultSchema>;

export const RandomKindSchema = z.enum(["500", "429", "timeout", "acceptThenFail"]);

/** Body of `POST /__control`: every field is optional and replaces the current value. */
export const TwilioControlSchema = z.strictObject({
  failNext: z.array(SendFaultSchema).optional(),
  randomFailureRate: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  randomFailureKinds: z.array(RandomKindSchema).min(1).optional(),
  randomTimeoutMs: z.number().positive().max(MAX_TIMEOUT_MS).optional(),
  /** Every send answers 500 without creating anything. */
  failForever: z.boolean().optional(),
  lookupFailNext: z.array(LookupFaultSchema).optional(),
  /** Every list request answers 500. */
  failLookups: z.boolean().optional(),
  /** Recipients who texted STOP: a send answers 400 code 21610. */
  stopNumbers: z.array(E164).optional(),
  /** Recipients Twilio calls invalid: 400 code 21211 (any To not in E.164 is too). */
  invalidNumbers: z.array(E164).optional(),
  /** Landlines: 400 code 21614. */
  landlineNumbers: z.array(E164).optional(),
  /** Created messages stay `queued` with no date_sent (as while Twilio's queue holds them). */
  queue: z.boolean().optional(),
});
export type TwilioControl = z.infer<typeof TwilioControlSchema>;

export const TwilioConfigSchema = z.object({
  failNext: z.array(SendFaultSchema),
  randomFailureRate: z.number(),
  seed: z.number(),
  randomFailureKinds: z.array(RandomKindSchema),
  randomTimeoutMs: z.number(),
  failForever: z.boolean(),
  lookupFailNext: z.array(LookupFaultSchema),
  failLookups: z.boolean(),
  stopNumbers: z.array(z.string()),
  invalidNumbers: z.array(z.string()),
  landlineNumbers: z.array(z.string()),
  queue: z.boolean(),
});
export type TwilioConfig = z.infer<typeof TwilioConfigSchema>;

export const FakeSmsSchema = z.object({
  sid: z.string(),
  to: z.string(),
  from: z.string(),
  body: z.string(),
  status: z.string(),
  dateCreated: z.string(),
  dateSent: z.string().nullable(),
});
export type FakeSms = z.infer<typeof FakeSmsSchema>;

/** Body of `GET /__stats`. */
export const TwilioStatsSchema = z.object({
  /** Every API request of this account, failed ones included. */
  requests: z.number(),
  /** POST Messages.json requests. */
  sendRequests: z.number(),
  /** GET Messages.json requests. */
  lookupRequests: z.number(),
  /** Messages created. */
  accepted: z.number(),
  /** Messages created per recipient. */
  byTo: z.record(z.string(), z.number()),
  /** Answers altered by failNext, randomFailureRate, failForever or the lookup faults. */
  failuresInjected: z.number(),
  /** Every created message, oldest first. */
  messages: z.array(FakeSmsSchema),
});
export type TwilioStats = z.infer<typeof TwilioStatsSchema>;
