import { z } from "zod";
import { isTimeZone } from "../team";
import { MERGE_FIELDS, unknownMergeFields } from "./merge";
import { StatusSchema } from "./statuses";

/** A year, in minutes: the longest delay a stage may wait. */
export const MAX_DELAY_MINUTES = 525_600;
export const MAX_STAGES = 50;
export const MAX_PERSON_IDS = 10_000;

export const EMAIL_PRIORITIES = [
  "personal_first",
  "work_first",
  "personal_only",
  "work_only",
] as const;
export const EmailPrioritySchema = z.enum(EMAIL_PRIORITIES, {
  error: `Use one of: ${EMAIL_PRIORITIES.join(", ")}`,
});
export type EmailPriority = z.infer<typeof EmailPrioritySchema>;

export const STAGE_TYPES = ["email", "sms", "call", "task"] as const;
export type StageType = (typeof STAGE_TYPES)[number];

const StageIdSchema = z
  .string()
  .trim()
  .min(1, "A stage id cannot be empty")
  .max(64, "A stage id has at most 64 characters");

const DelaySchema = z
  .number({ error: "Enter the delay in minutes" })
  .int("The delay is a whole number of minutes")
  .min(0, "The delay cannot be negative")
  .max(MAX_DELAY_MINUTES, "The delay is at most 365 days");

const text = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, `Enter the ${what}`)
    .max(max, `The ${what} has at most ${max.toLocaleString("en-US")} characters`);

/** Attachments of one email stage, and the largest file (the upload's limit). */
export const MAX_STAGE_ATTACHMENTS = 10;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** A file an email stage links to, as the upload answered it. */
export const AttachmentRefSchema = z.object({
  id: z.uuid("An attachment id is the id POST /api/v1/attachments answered"),
  name: z.string().trim().min(1, "An attachment needs a file name").max(255),
  size: z.number().int().min(0).max(MAX_ATTACHMENT_BYTES),
});
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

const emailFields = {
  type: z.literal("email"),
  delayMinutes: DelaySchema,
  mailboxId: z.string().trim().min(1, "Choose a mailbox").optional(),
  subject: text("subject", 300),
  body: text("body", 100_000),
  emailPriority: EmailPrioritySchema.default("personal_first"),
  sameThread: z.boolean({ error: "sameThread is true or false" }).default(false),
  /** Files sent as tracked download links (POST /api/v1/attachments gives id, name, size). */
  attachments: z
    .array(AttachmentRefSchema)
    .max(MAX_STAGE_ATTACHMENTS, `An email has at most ${MAX_STAGE_ATTACHMENTS} attachments`)
    .optional(),
};
const smsFields = {
  type: z.literal("sms"),
  delayMinutes: DelaySchema,
  body: text("body", 1_600),
};
const taskFields = {
  type: z.enum(["call", "task"]),
  delayMinutes: DelaySchema,
  title: text("title", 200),
};

/** A subject is one header line: a CR or LF in it could add headers, so it is refused. */
const SubjectInputSchema = emailFields.subject.refine(
  (s) => !/[\r\n]/.test(s),
  "The subject must be one line: remove the line break",
);

const KNOWN_FIELDS = MERGE_FIELDS.map((f) => `{{${f}}}`).join(", ");

/** A typo such as {{fristName}} is caught when the campaign is saved, not at send time. */
function checkMergeFields(keys: readonly ("subject" | "body")[]) {
  return (stage: Partial<Record<"subject" | "body", string>>, ctx: z.RefinementCtx) => {
    for (const key of keys) {
      const unknown = unknownMergeFields(stage[key] ?? "");
      if (unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `Unknown merge field ${unknown.map((u) => `{{${u}}}`).join(", ")}; use ${KNOWN_FIELDS}`,
        });
      }
    }
  };
}

export const StageInputSchema = z.discriminatedUnion(
  "type",
  [
    z
      .object({ id: StageIdSchema.optional(), ...emailFields, subject: SubjectInputSchema })
      .superRefine(checkMergeFields(["subject", "body"])),
    z
      .object({ id: StageIdSchema.optional(), ...smsFields })
      .superRefine(checkMergeFields(["body"])),
    z.object({ id: StageIdSchema.optional(), ...taskFields }),
  ],
  { error: "A stage's type is email, sms, call or task" },
);
export type StageInput = z.infer<typeof StageInputSchema>;
/** A stage as sent by a client, before defaults are applied. */
export type RawStageInput = z.input<typeof StageInputSchema>;

/** A stored stage: as the input, with its stable id. */
export const StageSchema = z.discriminatedUnion("type", [
  z.object({ id: StageIdSchema, ...emailFields }),
  z.object({ id: StageIdSchema, ...smsFields }),
  z.object({ id: StageIdSchema, ...taskFields }),
]);
export type Stage = z.infer<typeof StageSchema>;
export type EmailStage = Extract<Stage, { type: "email" }>;
export type SmsStage = Extract<Stage, { type: "sms" }>;
export type TaskStage = Extract<Stage, { type: "call" | "task" }>;

/** Gives every stage without an id a new one; ids already present are kept (they are stable). */
export function withStageIds(stages: StageInput[], newId: () => string): Stage[] {
  return stages.map((s) => ({ ...s, id: s.id ?? newId() }) as Stage);
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "HH:MM" → minutes after midnight; "24:00" is accepted as a window's end. */
export function minutesOfDay(hhmm: string): number {
  if (hhmm === "24:00") return 1440;
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

export const SendingWindowSchema = z
  .object({
    days: z
      .array(
        z
          .number({ error: "A day is a number from 1 (Monday) to 7 (Sunday)" })
          .int("A day is a number from 1 (Monday) to 7 (Sunday)")
          .min(1, "A day is a number from 1 (Monday) to 7 (Sunday)")
          .max(7, "A day is a number from 1 (Monday) to 7 (Sunday)"),
      )
      .min(1, "Choose at least one day")
      .refine((d) => new Set(d).size === d.length, "Each day may appear once"),
    start: z.string().regex(HHMM, "Use HH:MM, e.g. 09:00"),
    end: z.string().refine((s) => HHMM.test(s) || s === "24:00", "Use HH:MM, e.g. 17:30"),
  })
  .refine((w) => minutesOfDay(w.start) < minutesOfDay(w.end), {
    message: "The window must end after it starts",
    path: ["end"],
  });
export type SendingWindow = z.infer<typeof SendingWindowSchema>;

const uniqueStageIds = (stages: { id?: string }[]) => {
  const ids = stages.map((s) => s.id).filter((id): id is string => id !== undefined);
  return new Set(ids).size === ids.length;
};

const StagesSchema = z
  .array(StageInputSchema)
  .min(1, "Add at least one stage")
  .max(MAX_STAGES, `At most ${MAX_STAGES} stages`)
  .refine(uniqueStageIds, "Two stages have the same id");

export const CAMPAIGN_STATUSES = ["draft", "active", "disabled"] as const;
export const CampaignStatusSchema = z.enum(CAMPAIGN_STATUSES, {
  error: "Use draft, active or disabled",
});
export type CampaignStatus = z.infer<typeof CampaignStatusSchema>;

const NameSchema = text("campaign name", 120);
const OptionalRef = (what: string) => z.string().trim().min(1, `Choose a ${what}`).nullable();

export const CampaignInputSchema = z.object({
  name: NameSchema,
  shared: z.boolean().default(false),
  jobId: OptionalRef("job").optional(),
  jobStage: OptionalRef("job stage").optional(),
  businessDaysOnly: z.boolean().default(false),
  sendingWindow: SendingWindowSchema.nullable().default(null),
  trackOpens: z.boolean().default(true),
  trackClicks: z.boolean().default(true),
  unsubscribeLink: z.boolean().default(true),
  /** When one person replies, everyone at the same company email domain is Replied too. */
  stopCompanyOnReply: z.boolean({ error: "stopCompanyOnReply is true or false" }).default(false),
  status: z
    .enum(["draft", "active"], { error: "A new campaign is draft or active" })
    .default("active"),
  stages: StagesSchema,
});
export type CampaignInput = z.infer<typeof CampaignInputSchema>;

/** An edit: any field of the campaign, with the version it was read at (stale → 409). */
export const CampaignPatchSchema = z.object({
  version: z
    .number({ error: "Send the campaign's version you edited" })
    .int("The version is a whole number")
    .min(0, "The version cannot be negative"),
  name: NameSchema.optional(),
  shared: z.boolean().optional(),
  jobId: OptionalRef("job").optional(),
  jobStage: OptionalRef("job stage").optional(),
  businessDaysOnly: z.boolean().optional(),
  sendingWindow: SendingWindowSchema.nullable().optional(),
  trackOpens: z.boolean().optional(),
  trackClicks: z.boolean().optional(),
  unsubscribeLink: z.boolean().optional(),
  stopCompanyOnReply: z.boolean({ error: "stopCompanyOnReply is true or false" }).optional(),
  status: CampaignStatusSchema.optional(),
  stages: StagesSchema.optional(),
});
export type CampaignPatch = z.infer<typeof CampaignPatchSchema>;

export const PROSPECT_ACTIONS = [
  "pause",
  "unpause",
  "finish",
  "skip",
  "complete_task",
  "retry",
  "mark_replied",
  "remove",
  "add_to",
  "move",
] as const;
export const ProspectActionNameSchema = z.enum(PROSPECT_ACTIONS, {
  error: `Use one of: ${PROSPECT_ACTIONS.join(", ")}`,
});
export type ProspectActionName = z.infer<typeof ProspectActionNameSchema>;

const PersonIdsSchema = z
  .array(z.string().trim().min(1, "A person id cannot be empty"))
  .min(1, "List at least one person")
  .max(MAX_PERSON_IDS, `At most ${MAX_PERSON_IDS.toLocaleString("en-US")} people at once`)
  .transform((ids) => [...new Set(ids)]);

/** The Prospects list's filters; `stage` is a 0-based stage index, as `stageIndex` in a row. */
export const ProspectFilterSchema = z.object({
  status: StatusSchema.optional(),
  stage: z.coerce
    .number({ error: "The stage is a stage index (0 for the first)" })
    .int("The stage is a stage index (0 for the first)")
    .min(0, "The stage is a stage index (0 for the first)")
    .optional(),
});
export type ProspectFilter = z.infer<typeof ProspectFilterSchema>;

export const ProspectActionSchema = z
  .object({
    action: ProspectActionNameSchema,
    personIds: PersonIdsSchema.optional(),
    all: z.literal(true, { error: "all is true or left out" }).optional(),
    filters: ProspectFilterSchema.optional(),
    bypassValidation: z.boolean().optional(),
    toCampaignId: z.string().trim().min(1, "Choose the other campaign").optional(),
    moveId: z.string().trim().min(1).max(128, "The move id has at most 128 characters").optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.personIds === undefined) === (a.all === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["personIds"],
        message: "Send either personIds or all: true (with optional filters), not both",
      });
    }
    if (a.filters && !a.all) {
      ctx.addIssue({ code: "custom", path: ["filters"], message: "filters go with all: true" });
    }
    if ((a.action === "add_to" || a.action === "move") && !a.toCampaignId) {
      ctx.addIssue({
        code: "custom",
        path: ["toCampaignId"],
        message: `${a.action} needs toCampaignId, the campaign to ${a.action === "move" ? "move" : "add"} them to`,
      });
    }
    if (a.action === "move" && !a.moveId) {
      ctx.addIssue({
        code: "custom",
        path: ["moveId"],
        message: "move needs a moveId so that repeating the request moves nobody twice",
      });
    }
  });
export type ProspectAction = z.infer<typeof ProspectActionSchema>;

export const EnrollSchema = z.object({
  personIds: PersonIdsSchema,
  /** Enroll people with a conflict (still going elsewhere, emailed lately) as well. */
  force: z.boolean({ error: "force is true or false" }).optional(),
});
export type Enroll = z.infer<typeof EnrollSchema>;

export const TeamLimitsSchema = z.object({
  dailyEmailLimit: z
    .number({ error: "Enter the daily email limit as a number" })
    .int("Enter a whole number")
    .min(0, "The limit cannot be negative")
    .max(1_000_000, "At most 1,000,000 a day"),
  onLimit: z.enum(["defer", "fail"], { error: "onLimit is defer or fail" }),
  timeZone: z
    .string({ error: "Enter a time zone" })
    .trim()
    .refine(isTimeZone, "Pick a time zone such as Europe/London or America/New_York"),
});
export type TeamLimits = z.infer<typeof TeamLimitsSchema>;

/** Enrolling someone the team emailed within this many days is a conflict (0 = off). */
export const RecentlyEmailedDaysSchema = z
  .number({ error: "recentlyEmailedDays is a number of days (0 turns the check off)" })
  .int("recentlyEmailedDays is a whole number of days")
  .min(0, "recentlyEmailedDays cannot be negative")
  .max(365, "recentlyEmailedDays is at most 365");
export const DEFAULT_TEAM_LIMITS: TeamLimits = {
  dailyEmailLimit: 5_000,
  onLimit: "defer",
  timeZone: "UTC",
};
