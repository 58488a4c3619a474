import { z } from "zod";
import { cursorParam } from "./cursor";

export const MAX_JOB_STAGES = 30;

export const JobTitleSchema = z
  .string({ error: "Give the job a title" })
  .trim()
  .min(1, "Give the job a title")
  .max(200, "At most 200 characters");

export const JobStageNameSchema = z
  .string({ error: "Name the stage" })
  .trim()
  .min(1, "Name the stage")
  .max(80, "A stage name has at most 80 characters");

/** Stage names in order; the same name twice (ignoring case) is refused. */
export const JobStageNamesSchema = z
  .array(JobStageNameSchema, { error: "List the stages as an array of names" })
  .max(MAX_JOB_STAGES, `At most ${MAX_JOB_STAGES} stages`)
  .superRefine((names, ctx) => {
    const twice = duplicateNames(names);
    if (twice.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `Each stage needs its own name: ${twice.map((n) => `"${n}"`).join(", ")} appears more than once`,
      });
    }
  });

/** A job as the JSON API takes it: {title, stages: ["Sourced", "Screen", …]}. */
export const JobInputSchema = z.object({
  title: JobTitleSchema,
  stages: JobStageNamesSchema.default([]),
});
export type JobInput = z.infer<typeof JobInputSchema>;

/** The page's form: stage names typed one per line in a textarea. */
export const JobFormSchema = z.object({
  title: JobTitleSchema,
  stages: z.preprocess(
    (v) => (typeof v === "string" ? splitStageLines(v) : (v ?? [])),
    JobStageNamesSchema,
  ),
});

/** The non-blank lines of a textarea, trimmed, in order. */
export function splitStageLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Names that occur more than once (case-insensitively), each reported once as first written. */
export function duplicateNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  const twice = new Map<string, string>();
  for (const name of names) {
    const key = name.trim().toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, name.trim());
    else twice.set(key, first);
  }
  return [...twice.values()];
}

export type JobStage = { id: string; name: string; position: number };
export type Job = { id: string; title: string; stages: JobStage[]; createdAt: string };

/** Keyset position in the newest-first job list. */
export type JobCursor = { createdAt: number; id: string };

/** The job list's cursor key: [createdAt ms, id] of the last job of a page. */
export const JobCursorSchema = z
  .tuple([z.number().int().nonnegative(), z.string().min(1).max(64)])
  .transform(([createdAt, id]): JobCursor => ({ createdAt, id }));

export const JobListQuerySchema = z.object({
  cursor: cursorParam(JobCursorSchema),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(50, "limit is at most 50")
    .default(50),
});
