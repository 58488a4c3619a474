import { z } from "zod";
import { delayToMinutes } from "./engine/schedule";
import {
  type AttachmentRef,
  type CampaignInput,
  CampaignInputSchema,
  EmailPrioritySchema,
  type RawStageInput,
} from "./engine/schemas";

/**
 * The "New campaign" page's form: what a person types (a delay as value + unit, the
 * sending window as separate inputs, checkboxes that are absent when unticked), turned
 * into a CampaignInput and checked by the same CampaignInputSchema the API and the DO use.
 */

export const DELAY_UNITS = ["minutes", "hours", "days"] as const;
const DelayUnitSchema = z.enum(DELAY_UNITS, { error: "Choose minutes, hours or days" });

// Left loose here: CampaignInputSchema checks the delay (once in minutes), so that every
// field's error shows at once rather than the first failing one alone.
const delayValue = z.number({ error: "Enter the delay as a number (0 for none)" }).optional();

const optionalText = z.string().optional();
// `id`: an existing stage's id, carried by the edit form so edits match stages by id.
const stageBase = { id: optionalText, delayValue, delayUnit: DelayUnitSchema.default("days") };

export const StageFormSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("email"),
      ...stageBase,
      mailboxId: optionalText,
      subject: optionalText,
      body: optionalText,
      emailPriority: EmailPrioritySchema.default("personal_first"),
      sameThread: z.boolean().optional(),
      /** JSON of [{id, name, size}] (the attachment picker's hidden input). */
      attachments: optionalText,
    }),
    z.object({ type: z.literal("sms"), ...stageBase, body: optionalText }),
    z.object({ type: z.enum(["call", "task"]), ...stageBase, title: optionalText }),
  ],
  { error: "A stage's type is email, sms, call or task" },
);
export type StageForm = z.infer<typeof StageFormSchema>;

const FormShape = z.object({
  name: z.string().optional(),
  jobId: optionalText,
  jobStage: optionalText,
  shared: z.boolean().optional(),
  businessDaysOnly: z.boolean().optional(),
  windowOn: z.boolean().optional(),
  windowDays: z.array(z.number()).optional(),
  windowStart: optionalText,
  windowEnd: optionalText,
  trackOpens: z.boolean().optional(),
  trackClicks: z.boolean().optional(),
  unsubscribeLink: z.boolean().optional(),
  stopCompanyOnReply: z.boolean().optional(),
  status: z.enum(["active", "draft"], { error: "Choose to start now or save a draft" }).optional(),
  stages: z.array(StageFormSchema).optional(),
});
export type CampaignForm = z.infer<typeof FormShape>;
/** The form's values before defaults are applied (what conform's fields hold). */
export type CampaignFormInput = z.input<typeof FormShape>;
export type StageFormInput = z.input<typeof StageFormSchema>;

/**
 * The picker's JSON as the stage's attachments, unchecked: CampaignInputSchema checks them
 * (what is not JSON is passed on as text, to be refused with a message).
 */
function attachmentsOf(json: string | undefined): { attachments?: AttachmentRef[] } {
  if (!json) return {};
  let value: unknown = json;
  try {
    value = JSON.parse(json);
  } catch {}
  return { attachments: value as AttachmentRef[] };
}

/** A textarea's text with LF line ends: browsers post CRLF, the API takes LF; an edit
 * compared field by field must not see every body as changed. */
const lf = (text: string | undefined) => (text ?? "").replace(/\r\n?/g, "\n");

function stageInput(s: StageForm): RawStageInput {
  const delayMinutes =
    s.delayValue === undefined ? Number.NaN : delayToMinutes(s.delayValue, s.delayUnit);
  const id = s.id ? { id: s.id } : {};
  switch (s.type) {
    case "email":
      return {
        ...id,
        type: "email",
        delayMinutes,
        mailboxId: s.mailboxId || undefined,
        subject: s.subject ?? "",
        body: lf(s.body),
        emailPriority: s.emailPriority,
        sameThread: s.sameThread ?? false,
        ...attachmentsOf(s.attachments),
      };
    case "sms":
      return { ...id, type: "sms", delayMinutes, body: lf(s.body) };
    default:
      return { ...id, type: s.type, delayMinutes, title: s.title ?? "" };
  }
}

/** The form's values as the API's campaign input (not yet validated). */
export function formToInput(f: CampaignForm): z.input<typeof CampaignInputSchema> {
  return {
    name: f.name ?? "",
    jobId: f.jobId || null,
    jobStage: f.jobId && f.jobStage ? f.jobStage : null,
    shared: f.shared ?? false,
    businessDaysOnly: f.businessDaysOnly ?? false,
    sendingWindow: f.windowOn
      ? { days: f.windowDays ?? [], start: f.windowStart ?? "", end: f.windowEnd ?? "" }
      : null,
    trackOpens: f.trackOpens ?? false,
    trackClicks: f.trackClicks ?? false,
    unsubscribeLink: f.unsubscribeLink ?? false,
    stopCompanyOnReply: f.stopCompanyOnReply ?? false,
    status: f.status ?? "active",
    stages: (f.stages ?? []).map(stageInput),
  };
}

/** Where an issue of CampaignInputSchema belongs on the form (its field's name). */
export function formPath(path: readonly PropertyKey[]): (string | number)[] {
  const [head, ...rest] = path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (head === "sendingWindow") {
    const key = rest[0];
    if (key === "start") return ["windowStart"];
    if (key === "end") return ["windowEnd"];
    return ["windowDays"];
  }
  if (head === "stages" && rest.length >= 2 && rest[1] === "delayMinutes") {
    return ["stages", rest[0], "delayValue"];
  }
  return [head, ...rest];
}

/** The form schema: parses the form, then validates it as a CampaignInput. */
export const CampaignFormSchema = FormShape.transform((form, ctx): CampaignInput => {
  // The API lets an email stage go without a mailbox (it then fails as "no account
  // selected"); a person filling in the form is asked for one up front instead.
  const reported = new Set<string>();
  const report = (path: (string | number)[], message: string) => {
    const key = path.join(".");
    if (reported.has(key)) return;
    reported.add(key);
    ctx.addIssue({ code: "custom", path, message });
  };
  for (const [i, s] of (form.stages ?? []).entries()) {
    if (s.type === "email" && !s.mailboxId) {
      report(["stages", i, "mailboxId"], "Choose the mailbox this email is sent from");
    }
    if (s.delayValue === undefined) {
      report(["stages", i, "delayValue"], "Enter the delay as a number (0 for none)");
    }
  }
  const parsed = CampaignInputSchema.safeParse(formToInput(form));
  if (parsed.success && reported.size === 0) return parsed.data;
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    report(formPath(issue.path), issue.message);
  }
  return z.NEVER;
});

/** A new stage as the editor adds it: the first goes out at once, later ones a few days on. */
export function newStage(type: StageForm["type"], position: number): StageForm {
  const delay = { delayValue: position === 0 ? 0 : 3, delayUnit: "days" as const };
  if (type === "email") return { type, ...delay, emailPriority: "personal_first" };
  return { type, ...delay };
}

/** The form's starting values: one email at once, Monday to Friday 09:00–17:00 offered. */
export function blankCampaignForm(): CampaignForm {
  return {
    windowDays: [1, 2, 3, 4, 5],
    windowStart: "09:00",
    windowEnd: "17:00",
    trackOpens: true,
    trackClicks: true,
    unsubscribeLink: true,
    status: "active",
    stages: [newStage("email", 0)],
  };
}

export const WEEKDAYS = [
  { value: 1, short: "Mon" },
  { value: 2, short: "Tue" },
  { value: 3, short: "Wed" },
  { value: 4, short: "Thu" },
  { value: 5, short: "Fri" },
  { value: 6, short: "Sat" },
  { value: 7, short: "Sun" },
] as const;
