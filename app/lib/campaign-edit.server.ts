// The campaign edit page's server side: what the form starts from, and what saving does
// when someone else saved first (a three-way merge, never a silent overwrite: ADR 0026).

import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import type { CampaignView } from "@workers/campaign/views";
import { type CampaignForm, CampaignFormSchema } from "@workers/core/campaign-form";
import {
  diffEdits,
  type EditDoc,
  type FieldChange,
  mergeEdits,
  type SettingField,
} from "@workers/core/engine/merge-edits";
import { formatDelay, splitDelay } from "@workers/core/engine/schedule";
import {
  type CampaignInput,
  CampaignInputSchema,
  type StageInput,
  StageInputSchema,
} from "@workers/core/engine/schemas";
import { listMailboxes } from "@workers/data/mailboxes";
import { getTeamSettings } from "@workers/data/teams";
import { z } from "zod";
import {
  checkCampaignReferences,
  notFound,
  requireTeamCampaign,
  teamJobs,
  userActor,
} from "~/lib/campaigns.server";

type SettingsAndStages = Pick<CampaignInput, SettingField> & { stages: readonly StageInput[] };

/** The campaign as the editor sees it (settings and stages with their ids). */
export function docOf(c: SettingsAndStages): EditDoc {
  return {
    name: c.name,
    shared: c.shared,
    jobId: c.jobId ?? null,
    jobStage: c.jobStage ?? null,
    businessDaysOnly: c.businessDaysOnly,
    sendingWindow: c.sendingWindow,
    trackOpens: c.trackOpens,
    trackClicks: c.trackClicks,
    unsubscribeLink: c.unsubscribeLink,
    stopCompanyOnReply: c.stopCompanyOnReply,
    stages: c.stages.map((s) => ({ ...s })),
  };
}

/** The base a form was loaded from, as it travels in the form's hidden `base` field. */
export const EditDocSchema = CampaignInputSchema.pick({
  name: true,
  shared: true,
  jobId: true,
  jobStage: true,
  businessDaysOnly: true,
  sendingWindow: true,
  trackOpens: true,
  trackClicks: true,
  unsubscribeLink: true,
  stopCompanyOnReply: true,
}).extend({ stages: z.array(StageInputSchema).max(200) });

const BasisSchema = z.object({
  version: z.coerce.number().int().min(0),
  base: z.string().min(2),
});

function readBasis(form: FormData): { version: number; base: EditDoc; raw: string } | null {
  const basis = BasisSchema.safeParse({ version: form.get("version"), base: form.get("base") });
  if (!basis.success) return null;
  let json: unknown;
  try {
    json = JSON.parse(basis.data.base);
  } catch {
    return null;
  }
  const base = EditDocSchema.safeParse(json);
  if (!base.success) return null;
  return { version: basis.data.version, base: docOf(base.data), raw: basis.data.base };
}

/** The form's starting values for a stored campaign. */
export function formOf(doc: EditDoc): CampaignForm {
  const w = doc.sendingWindow;
  return {
    name: doc.name,
    jobId: doc.jobId ?? undefined,
    jobStage: doc.jobStage ?? undefined,
    shared: doc.shared,
    businessDaysOnly: doc.businessDaysOnly,
    windowOn: w !== null,
    windowDays: w?.days ?? [1, 2, 3, 4, 5],
    windowStart: w?.start ?? "09:00",
    windowEnd: w?.end ?? "17:00",
    trackOpens: doc.trackOpens,
    trackClicks: doc.trackClicks,
    unsubscribeLink: doc.unsubscribeLink,
    stopCompanyOnReply: doc.stopCompanyOnReply,
    stages: doc.stages.map((s) => {
      const { value, unit } = splitDelay(s.delayMinutes);
      const delay = { id: s.id, delayValue: value, delayUnit: unit };
      if (s.type === "email") {
        return {
          ...delay,
          type: s.type,
          mailboxId: s.mailboxId,
          subject: s.subject,
          body: s.body,
          emailPriority: s.emailPriority,
          sameThread: s.sameThread,
          attachments: s.attachments?.length ? JSON.stringify(s.attachments) : undefined,
        };
      }
      if (s.type === "sms") return { ...delay, type: s.type, body: s.body };
      return { ...delay, type: s.type, title: s.title };
    }),
  };
}

async function pickLists(env: Env, teamId: string) {
  const [mailboxes, jobs] = await Promise.all([listMailboxes(env, teamId), teamJobs(env, teamId)]);
  return {
    mailboxes: mailboxes.map((m) => ({
      id: m.id,
      label: `${m.name} <${m.address}>`,
      canSend: m.canSend,
    })),
    jobs,
  };
}

/** The edit page: the campaign as a form, with the version and base it was loaded from. */
export async function editPage(env: Env, request: Request, campaignId: string) {
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, campaignId);
  const view = await campaign.stub.view();
  if (!view) throw notFound();
  const doc = docOf(view);
  const settings = await getTeamSettings(env, actor.teamId);
  return {
    campaign: { id: view.id, name: view.name, status: view.status },
    timeZone: settings.timeZone,
    version: view.version,
    base: JSON.stringify(doc),
    form: formOf(doc),
    ...(await pickLists(env, actor.teamId)),
  };
}

type Lists = Awaited<ReturnType<typeof pickLists>>;

/** A value as a person reads it in the "what changed" view. */
const UNCHANGED = Symbol("unchanged");

function describe(key: string, value: unknown, lists: Lists, stageNames: Map<string, string>) {
  if (value === UNCHANGED) return "(not changed by you)";
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "boolean") return value ? "On" : "Off";
  const field = key.split(":").at(-1);
  if (field === "delayMinutes" && typeof value === "number") return formatDelay(value);
  if (field === "mailboxId")
    return lists.mailboxes.find((m) => m.id === value)?.label ?? "a removed mailbox";
  if (key === "jobId") return lists.jobs.find((j) => j.id === value)?.title ?? "a removed job";
  if (key === "order" && Array.isArray(value)) {
    return value.map((id) => stageNames.get(String(id)) ?? "a stage").join(" → ");
  }
  if (key === "sendingWindow") {
    const w = z
      .object({ days: z.array(z.number()), start: z.string(), end: z.string() })
      .safeParse(value);
    if (w.success) return `days ${w.data.days.join(", ")} · ${w.data.start}–${w.data.end}`;
  }
  const stage = StageInputSchema.safeParse(value);
  if (stage.success) return stageName(stage.data);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function stageName(s: z.infer<typeof StageInputSchema>) {
  const what = s.type === "email" ? s.subject : s.type === "sms" ? s.body : s.title;
  return `${s.type === "sms" ? "SMS" : s.type[0].toUpperCase() + s.type.slice(1)} “${what.length > 60 ? `${what.slice(0, 60)}…` : what}”`;
}

export type ShownChange = { key: string; label: string; theirs: string; mine: string };

function shown(changes: FieldChange[], lists: Lists, docs: EditDoc[]): ShownChange[] {
  const names = new Map<string, string>();
  for (const d of docs) for (const s of d.stages) if (s.id) names.set(s.id, stageName(s));
  return changes.map((c) => ({
    key: c.key,
    label: c.label,
    theirs: describe(c.key, c.theirs, lists, names),
    mine: describe(c.key, c.mine, lists, names),
  }));
}

export type Stale = {
  /** When the newer version was saved. */
  savedAt: string | null;
  theirVersion: number;
  /** What they changed since the form was loaded, field by field. */
  changes: ShownChange[];
  /** Fields both changed differently (then "Apply mine on top" is not offered). */
  conflicts: ShownChange[];
};
export type Refusal = { stageId: string; stageNumber: number; count: number; message: string };

const DELETE_REFUSED = /^Stage (\d+) cannot be deleted: (\d+) prospect/;

/** The page's forms: save (stale → what changed), apply mine on top, skip people past a stage. */
export async function editAction(env: Env, request: Request, campaignId: string) {
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, campaignId);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "save");
  const submission = parseWithZod(form, { schema: CampaignFormSchema });
  const basis = readBasis(form);
  const echo = {
    version: basis?.version ?? null,
    base: basis?.raw ?? null,
    stale: null as Stale | null,
    refusal: null as Refusal | null,
    notice: null as string | null,
  };
  if (!basis) {
    return {
      ...echo,
      result: submission.reply({
        formErrors: ["This form lost track of the version it was loaded from. Reload the page."],
      }),
    };
  }
  if (submission.status !== "success") return { ...echo, result: submission.reply() };
  const issues = await checkCampaignReferences(env, actor.teamId, submission.value);
  if (issues.length > 0) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of issues) fieldErrors[i.name] = [...(fieldErrors[i.name] ?? []), i.message];
    return { ...echo, result: submission.reply({ fieldErrors }) };
  }
  const by = userActor(actor.userId);
  const mine = docOf(submission.value);
  const current = await campaign.stub.view();
  if (!current) throw notFound();
  const theirs = docOf(current);

  if (intent.startsWith("skip:")) {
    const stageId = intent.slice("skip:".length);
    const index = current.stages.findIndex((s) => s.id === stageId);
    if (index < 0) {
      return { ...echo, result: submission.reply(), notice: "That stage no longer exists." };
    }
    const acted = await campaign.stub.act(
      { action: "skip", all: true, filters: { stage: index } },
      by,
    );
    const applied = acted.ok ? acted.value.applied.length : 0;
    const refused = acted.ok ? acted.value.refused.length : 0;
    const notice = acted.ok
      ? `Skipped ${applied} ${applied === 1 ? "person" : "people"} past stage ${index + 1}.${refused > 0 ? ` ${refused} could not be skipped (e.g. Paused or Replied): pause, finish or remove them on the Prospects tab.` : ""} Save again to delete it.`
      : acted.message;
    return { ...echo, result: submission.reply(), notice };
  }

  let save = mine;
  let version = basis.version;
  if (intent === "apply") {
    const merge = mergeEdits(basis.base, theirs, mine);
    const lists = await pickLists(env, actor.teamId);
    if (!merge.ok) {
      return {
        ...echo,
        result: submission.reply(),
        stale: staleOf(current, merge.conflicts, lists, [basis.base, theirs, mine]),
      };
    }
    save = merge.merged;
    version = current.version;
  }
  const result = await campaign.stub.update({ version, ...save }, by);
  if (result.ok) throw redirect(`/campaigns/${campaignId}?edited=1`);

  if (version !== current.version) {
    const lists = await pickLists(env, actor.teamId);
    const merge = mergeEdits(basis.base, theirs, mine);
    return {
      ...echo,
      result: submission.reply(),
      stale: staleOf(current, merge.ok ? [] : merge.conflicts, lists, [basis.base, theirs, mine]),
    };
  }
  const refused = DELETE_REFUSED.exec(result.message);
  if (refused) {
    const stageNumber = Number(refused[1]);
    const stage = current.stages[stageNumber - 1];
    if (stage) {
      return {
        ...echo,
        result: submission.reply(),
        refusal: {
          stageId: stage.id,
          stageNumber,
          count: Number(refused[2]),
          message: `${stageName(stage)} (stage ${stageNumber}) cannot be deleted: ${refused[2]} ${refused[2] === "1" ? "person is" : "people are"} still going at or before it.`,
        },
      };
    }
  }
  return { ...echo, result: submission.reply({ formErrors: [result.message] }) };
}

function staleOf(
  current: CampaignView,
  conflicts: FieldChange[],
  lists: Lists,
  [base, theirs, mine]: [EditDoc, EditDoc, EditDoc],
): Stale {
  // Beside each of their changes: what this form has for the same field.
  const mineChanged = new Map(diffEdits(base, mine).map((c) => [c.key, c.theirs]));
  const changes = diffEdits(base, theirs).map((c) => ({
    ...c,
    mine: mineChanged.has(c.key) ? mineChanged.get(c.key) : UNCHANGED,
  }));
  const docs = [base, theirs, mine];
  return {
    savedAt: current.updatedAt,
    theirVersion: current.version,
    changes: shown(changes, lists, docs),
    conflicts: shown(conflicts, lists, docs),
  };
}
