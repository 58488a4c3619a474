import { z } from "zod";
import { PROSPECT_ACTIONS, type ProspectActionName } from "./engine/schemas";
import {
  type EmailStatus,
  type ProspectStatus,
  ReasonSchema,
  reasonLabel,
  StatusSchema,
} from "./engine/statuses";

/**
 * The campaign pages' pure pieces: the live feed's rows (its frames are in live-feed.ts) and
 * how a diff updates the rows on screen, badge tones, action labels, and the one-line
 * summaries of bulk results.
 */

export const LiveRowSchema = z.object({
  personId: z.string(),
  name: z.string(),
  status: StatusSchema,
  reason: z.string().optional(),
  reasonLabel: z.string().optional(),
  stageIndex: z.number().int(),
  stageId: z.string().nullable(),
  nextAt: z.string().optional(),
  updatedAt: z.string().nullable(),
});
export type LiveRow = z.infer<typeof LiveRowSchema>;

export type ListFilter = { status?: ProspectStatus; stage?: number };

/**
 * The prospect list's cursor key: [sort value, personId] of the last row of a page. The
 * Campaign DO writes and reads it; the API and the page check it first, so a bad one is a 400.
 */
export const ProspectCursorSchema = z.tuple([z.union([z.string(), z.number()]), z.string()]);

function matches(row: LiveRow, filter: ListFilter): boolean {
  if (filter.status && row.status !== filter.status) return false;
  if (filter.stage !== undefined && row.stageIndex !== filter.stage) return false;
  return true;
}

/**
 * The rows on screen after a diff: shown rows take their new state in place (so nothing
 * jumps under the reader's finger), removed ones leave, and a new row that fits the
 * filter is added only when the page is not full — otherwise it belongs to a later page.
 */
export function applyProspectDiff<R extends LiveRow>(
  rows: R[],
  diff: { rows: LiveRow[]; removed: string[] },
  opts: { filter: ListFilter; pageFull: boolean },
): (R | LiveRow)[] {
  const gone = new Set(diff.removed);
  const incoming = new Map(diff.rows.map((r) => [r.personId, r]));
  const out: (R | LiveRow)[] = [];
  for (const row of rows) {
    if (gone.has(row.personId)) continue;
    // A row is replaced whole: fields the DO leaves out (reason, nextAt) are gone, not kept.
    out.push(incoming.get(row.personId) ?? row);
    incoming.delete(row.personId);
  }
  if (!opts.pageFull) {
    for (const row of incoming.values()) {
      if (!gone.has(row.personId) && matches(row, opts.filter)) out.push(row);
    }
  }
  return out;
}

export type Tone = "ok" | "warn" | "danger" | "";

export const STATUS_TONES: Record<ProspectStatus, Tone> = {
  active: "ok",
  pending: "warn",
  paused: "warn",
  replied: "ok",
  complete: "",
  bounced: "danger",
  spam: "danger",
  not_delivered: "danger",
  failed: "danger",
  unsubscribed: "",
};

export const EMAIL_STATUS_TONES: Record<EmailStatus, Tone> = {
  waiting: "",
  held: "warn",
  sent: "ok",
  delivered: "ok",
  bounced: "danger",
  spam: "danger",
  not_delivered: "danger",
  canceled: "",
  failed: "danger",
};

export const CAMPAIGN_STATUS_LABELS = { draft: "Draft", active: "Active", disabled: "Disabled" };
export const CAMPAIGN_STATUS_TONES: Record<keyof typeof CAMPAIGN_STATUS_LABELS, Tone> = {
  draft: "",
  active: "ok",
  disabled: "warn",
};

export const ACTION_LABELS = {
  pause: "Pause",
  unpause: "Unpause",
  finish: "Mark finished",
  skip: "Skip stage",
  complete_task: "Complete task",
  retry: "Retry",
  mark_replied: "Mark replied",
  remove: "Remove",
  add_to: "Add to campaign…",
  move: "Move to campaign…",
} satisfies Record<ProspectActionName, string>;

const TAKES_TARGET = {
  pause: false,
  unpause: false,
  finish: false,
  skip: false,
  complete_task: false,
  retry: false,
  mark_replied: false,
  remove: false,
  add_to: true,
  move: true,
} satisfies Record<ProspectActionName, boolean>;

/** Whether an action asks which other campaign (toCampaignId) it adds or moves people to. */
export function takesTargetCampaign(action: ProspectActionName): boolean {
  return TAKES_TARGET[action];
}

/** The actions that apply in one click (a profile's quick buttons): no other campaign to choose. */
export const ONE_CLICK_ACTIONS: readonly ProspectActionName[] = PROSPECT_ACTIONS.filter(
  (a) => !TAKES_TARGET[a],
);

/** "stage 2 of 3", or "all 3 done" once past the last stage. */
export function stageText(stageIndex: number, stageCount: number): string {
  if (stageCount === 0) return "no stages";
  if (stageIndex >= stageCount) return `all ${stageCount} done`;
  return `${stageIndex + 1} of ${stageCount}`;
}

/** Refusal codes in words; an action's refusal is already a sentence and is shown as is. */
const ACTION_REFUSALS: Record<string, string> = { not_found: "not in this campaign" };
const ENROLL_REFUSALS: Record<string, string> = {
  not_found: "not one of your team's people",
  already_enrolled: "already in this campaign",
  unsubscribed: "unsubscribed, never contacted again",
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function refusedText(
  refused: { personId: string; reason: string }[],
  names: Map<string, string>,
  words: Record<string, string>,
) {
  const byReason = new Map<string, string[]>();
  for (const r of refused) {
    const list = byReason.get(r.reason) ?? [];
    list.push(names.get(r.personId) ?? r.personId);
    byReason.set(r.reason, list);
  }
  return [...byReason.entries()]
    .map(([reason, who]) => {
      const shown = who.slice(0, 3).join(", ");
      const more = who.length > 3 ? ` and ${who.length - 3} more` : "";
      return `${words[reason] ?? reason} (${shown}${more})`;
    })
    .join("; ");
}

/** "2 applied, 1 refused: Cannot pause a Complete prospect (Ann Lee)". */
export function bulkSummary(
  result: {
    applied: number;
    refused: { personId: string; reason: string }[];
    notes?: { personId: string; note: string }[];
  },
  names: Map<string, string>,
): string {
  const notes = result.notes ?? [];
  const head = `${result.applied} applied`;
  const noted =
    notes.length === 0
      ? ""
      : `. ${notes.length === 1 ? "For 1 of them" : `For ${notes.length} of them`}: ${notes[0].note.charAt(0).toLowerCase()}${notes[0].note.slice(1)}`;
  if (result.refused.length === 0) return `${head}${noted}`;
  return `${head}, ${result.refused.length} refused: ${refusedText(result.refused, names, ACTION_REFUSALS)}${noted}`;
}

/** "Enrolled 3 people. 1 refused: already in this campaign (Ann Lee). 1 not enrolled: in another campaign…" */
export function enrollSummary(
  result: {
    enrolled: number;
    enrolledIds: string[];
    refused: { personId: string; reason: string }[];
    conflicts: { personId: string }[];
  },
  names: Map<string, string>,
): string {
  const parts = [`Enrolled ${plural(result.enrolled, "person", "people")}.`];
  if (result.refused.length > 0) {
    parts.push(
      `${result.refused.length} refused: ${refusedText(result.refused, names, ENROLL_REFUSALS)}.`,
    );
  }
  // A conflict (still going elsewhere, emailed lately) holds someone back unless forced.
  const enrolledIds = new Set(result.enrolledIds);
  const conflicted = [...new Set(result.conflicts.map((c) => c.personId))];
  const held = conflicted.filter((id) => !enrolledIds.has(id)).length;
  const anyway = conflicted.length - held;
  if (held > 0) {
    parts.push(
      `${held} not enrolled: in another campaign of the team or emailed by it lately (enroll anyway to add them).`,
    );
  }
  if (anyway > 0) {
    parts.push(`${anyway} enrolled despite another campaign or a recent email.`);
  }
  return parts.join(" ");
}

/** Person ids pasted in any layout: one per line, or separated by commas, spaces or semicolons. */
export function splitPastedIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

const MESSAGE_REASONS: Record<string, string> = {
  removed: "The person was removed from the campaign",
  moved: "The person was moved to another campaign",
};

/**
 * An Email Log row's reason in plain words: a reason code (optionally "code: detail", as
 * the pipeline writes provider answers) gets its label; other notes are shown as written.
 */
export function messageReasonText(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const split = reason.indexOf(": ");
  const code = split === -1 ? reason : reason.slice(0, split);
  const parsed = ReasonSchema.safeParse(code);
  if (parsed.success) {
    return reasonLabel(parsed.data, split === -1 ? undefined : reason.slice(split + 2));
  }
  return MESSAGE_REASONS[reason] ?? reason;
}

/** Email Log statuses a Retry may help with (the prospect's own status decides in the end). */
export const RETRYABLE_MESSAGE_STATUSES: readonly string[] = [
  "held",
  "failed",
  "not_delivered",
  "canceled",
  "bounced",
  "spam",
];

const ACTION_DONE = {
  pause: "Paused",
  unpause: "Unpaused",
  finish: "Marked finished",
  skip: "Skipped a stage",
  complete_task: "Completed the task",
  retry: "Retried",
  mark_replied: "Marked replied",
  remove: "Removed",
  add_to: "Added to another campaign",
  move: "Moved to another campaign",
} satisfies Record<ProspectActionName, string>;

const HISTORY_WORDS: Record<string, string> = {
  enroll: "Enrolled",
  sent: "Stage sent",
  outcome: "Delivery outcome",
  resumed: "Resumed",
  ...ACTION_DONE,
};

/** A history entry's event in words ("Marked replied"); unknown events as written. */
export function historyText(action: string): string {
  return HISTORY_WORDS[action] ?? action;
}
