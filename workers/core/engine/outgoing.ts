import { z } from "zod";

/** One email as handed to a transport, fully rendered; persisted before the call. */
export const OutgoingEmailSchema = z.object({
  /** Our message row id; also the local part of our Message-ID. */
  id: z.string(),
  idempotencyKey: z.string(),
  teamId: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  replyTo: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
});
export type OutgoingEmail = z.infer<typeof OutgoingEmailSchema>;

export const OutgoingSmsSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  teamId: z.string(),
  to: z.string(),
  text: z.string(),
});
export type OutgoingSms = z.infer<typeof OutgoingSmsSchema>;
