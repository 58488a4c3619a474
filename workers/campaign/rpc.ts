import { z } from "zod";
import { ReasonSchema, StatusSchema } from "../core/engine/statuses";

/** The arguments the Campaign DO's RPC methods take, validated at the boundary. */

export type EnrollPerson = { personId: string; name: string; timeZone: string | null };
export const EnrollPeopleSchema = z.array(
  z.object({ personId: z.string().min(1), name: z.string(), timeZone: z.string().nullable() }),
);
export const ActorSchema = z.object({
  kind: z.enum(["user", "api_key", "system"]),
  id: z.string(),
});

export const HistoryEntrySchema = z.object({
  personId: z.string(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  fromStatus: StatusSchema.nullable(),
  toStatus: StatusSchema.nullable(),
  reason: ReasonSchema.nullable(),
  detail: z.string().nullable(),
});
export const IncomingPeopleSchema = z.array(
  z.object({
    personId: z.string().min(1),
    name: z.string(),
    timeZone: z.string().nullable(),
    keep: z.object({ status: StatusSchema, reason: ReasonSchema.nullable() }).nullable(),
    history: z.array(HistoryEntrySchema),
  }),
);
/** add_to / move into another campaign: who, and the move id a retry repeats. */
export const ReceiveSchema = z.object({
  people: IncomingPeopleSchema,
  note: z.string(),
  moveId: z.string().min(1).nullable(),
});
export type IncomingPerson = z.infer<typeof IncomingPeopleSchema>[number];
export const ActResultSchema = z.object({
  applied: z.array(z.string()),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
  /** Applied, with something to know: e.g. the current stage is already sending. */
  notes: z.array(z.object({ personId: z.string(), note: z.string() })).default([]),
});
export type ActResult = z.infer<typeof ActResultSchema>;
/** Where the previous page of a chunked read or bulk action ended (store/prospects.ts page). */
export const PageKeySchema = z
  .object({ enrolledAt: z.number().int().nonnegative(), personId: z.string().min(1) })
  .nullable();
