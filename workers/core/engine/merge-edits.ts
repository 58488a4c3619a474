import type { CampaignInput, StageInput } from "./schemas";

/**
 * A three-way merge of campaign edits (ADR 0026): `base` is the campaign as the editor
 * loaded it, `theirs` as it is now (someone saved meanwhile), `mine` what the editor
 * submits. Fields are the campaign's settings, each stage's fields by stage id, and the
 * stage order with additions and deletions. A field changed on one side only takes that
 * side; changed on both to different values, it is a conflict and nothing is merged.
 */

export const SETTING_FIELDS = [
  "name",
  "shared",
  "jobId",
  "jobStage",
  "businessDaysOnly",
  "sendingWindow",
  "trackOpens",
  "trackClicks",
  "unsubscribeLink",
  "stopCompanyOnReply",
] as const;
export type SettingField = (typeof SETTING_FIELDS)[number];

/** A campaign as the editor sees it: its settings and its stages (new ones without an id). */
export type EditDoc = Pick<CampaignInput, SettingField> & { stages: StageInput[] };

const SETTING_LABELS: Record<SettingField, string> = {
  name: "Name",
  shared: "Shared",
  jobId: "Job",
  jobStage: "Job stage",
  businessDaysOnly: "Business days only",
  sendingWindow: "Sending window",
  trackOpens: "Track opens",
  trackClicks: "Track clicks",
  unsubscribeLink: "Unsubscribe link",
  stopCompanyOnReply: "Stop the company on reply",
};

const STAGE_FIELD_LABELS: Record<string, string> = {
  type: "Type",
  delayMinutes: "Delay",
  mailboxId: "Mailbox",
  subject: "Subject",
  body: "Body",
  emailPriority: "Which address",
  sameThread: "Same thread",
  title: "Title",
};

/** One field that differs: its key, a label a person reads, and each side's value. */
export type FieldChange = {
  /** "name", "stage:<id>:subject", "stage:<id>" (added/deleted), "order". */
  key: string;
  label: string;
  base: unknown;
  theirs: unknown;
  mine: unknown;
};

export type MergeResult =
  | { ok: true; merged: EditDoc; theirChanges: FieldChange[] }
  | { ok: false; conflicts: FieldChange[]; theirChanges: FieldChange[] };

/** JSON with sorted keys and no undefined: two values that mean the same compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(b ?? null);

type AnyStage = StageInput & Record<string, unknown>;
const fieldsOf = (s: StageInput) => s as AnyStage;

function stageFieldKeys(...stages: (StageInput | undefined)[]): string[] {
  const keys = new Set<string>();
  for (const s of stages) for (const k of Object.keys(s ?? {})) if (k !== "id") keys.add(k);
  return [...keys].sort();
}

const stageLabel = (position: number) => `stage ${position + 1}`;

/** Where a stage id is shown: its place in `first` that has it, else in the later lists. */
function positionOf(id: string, ...lists: StageInput[][]): number {
  for (const list of lists) {
    const i = list.findIndex((s) => s.id === id);
    if (i >= 0) return i;
  }
  return 0;
}

/** The fields `to` changed from `from`: settings, each stage's fields, additions, deletions, order. */
export function diffEdits(from: EditDoc, to: EditDoc): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of SETTING_FIELDS) {
    if (!same(from[f], to[f])) {
      out.push({ key: f, label: SETTING_LABELS[f], base: from[f], theirs: to[f], mine: undefined });
    }
  }
  const before = new Map(from.stages.map((s) => [s.id, s]));
  const after = new Map(to.stages.flatMap((s) => (s.id ? [[s.id, s] as const] : [])));
  for (const [i, s] of to.stages.entries()) {
    const old = s.id ? before.get(s.id) : undefined;
    if (!old) {
      out.push({
        key: `stage:${s.id ?? `new-${i}`}`,
        label: `Added ${stageLabel(i)}`,
        base: undefined,
        theirs: s,
        mine: undefined,
      });
      continue;
    }
    for (const k of stageFieldKeys(old, s)) {
      if (!same(fieldsOf(old)[k], fieldsOf(s)[k])) {
        out.push({
          key: `stage:${s.id}:${k}`,
          label: `${STAGE_FIELD_LABELS[k] ?? k} of ${stageLabel(i)}`,
          base: fieldsOf(old)[k],
          theirs: fieldsOf(s)[k],
          mine: undefined,
        });
      }
    }
  }
  for (const [i, s] of from.stages.entries()) {
    if (s.id && !after.has(s.id)) {
      out.push({
        key: `stage:${s.id}`,
        label: `Deleted ${stageLabel(i)}`,
        base: s,
        theirs: undefined,
        mine: undefined,
      });
    }
  }
  const kept = (list: StageInput[]) =>
    list.flatMap((s) => (s.id && before.has(s.id) && after.has(s.id) ? [s.id] : []));
  if (!same(kept(from.stages), kept(to.stages))) {
    out.push({
      key: "order",
      label: "Stage order",
      base: kept(from.stages),
      theirs: kept(to.stages),
      mine: undefined,
    });
  }
  return out;
}

/** Merges one value: the side that changed it wins; both changed differently → conflict. */
function pick<T>(base: T, theirs: T, mine: T): { value: T } | "conflict" {
  if (same(mine, base)) return { value: theirs };
  if (same(theirs, base) || same(theirs, mine)) return { value: mine };
  return "conflict";
}

/** A stage's identity across the three versions: its id, or the object for a new one. */
const identity = (s: StageInput): unknown => s.id ?? s;

/** Inserts each added stage after the stage before it on its own side (or first). */
function placeAdditions(
  order: StageInput[],
  side: StageInput[],
  isAdded: (s: StageInput) => boolean,
): StageInput[] {
  const out = [...order];
  const at = (s: StageInput) => out.findIndex((o) => identity(o) === identity(s));
  for (const [i, s] of side.entries()) {
    if (!isAdded(s) || at(s) >= 0) continue;
    const prev = side
      .slice(0, i)
      .reverse()
      .find((p) => at(p) >= 0);
    out.splice(prev ? at(prev) + 1 : 0, 0, s);
  }
  return out;
}

/** The three-way merge of `mine` onto `theirs`, from the common `base`. */
export function mergeEdits(base: EditDoc, theirs: EditDoc, mine: EditDoc): MergeResult {
  const theirChanges = diffEdits(base, theirs);
  const conflicts: FieldChange[] = [];
  const settings = {} as Pick<CampaignInput, SettingField>;
  for (const f of SETTING_FIELDS) {
    const r = pick(base[f], theirs[f], mine[f]);
    if (r === "conflict") {
      conflicts.push({
        key: f,
        label: SETTING_LABELS[f],
        base: base[f],
        theirs: theirs[f],
        mine: mine[f],
      });
    } else Object.assign(settings, { [f]: r.value });
  }

  const baseById = new Map(base.stages.flatMap((s) => (s.id ? [[s.id, s] as const] : [])));
  const theirsById = new Map(theirs.stages.flatMap((s) => (s.id ? [[s.id, s] as const] : [])));
  const mineById = new Map(mine.stages.flatMap((s) => (s.id ? [[s.id, s] as const] : [])));
  const merged = new Map<string, StageInput>();
  const changed = (a: StageInput, b: StageInput) => !same({ ...a, id: null }, { ...b, id: null });

  for (const [id, b] of baseById) {
    const t = theirsById.get(id);
    const m = mineById.get(id);
    const label = stageLabel(positionOf(id, theirs.stages, base.stages));
    if (!t && !m) continue;
    if (!t || !m) {
      // Deleted on one side: fine unless the other side edited it.
      const kept = (t ?? m) as StageInput;
      if (changed(b, kept)) {
        conflicts.push({
          key: `stage:${id}`,
          label: `${label}: ${t ? "you deleted it, they edited it" : "they deleted it, you edited it"}`,
          base: b,
          theirs: t,
          mine: m,
        });
      }
      continue;
    }
    if (t.type !== m.type) {
      conflicts.push({
        key: `stage:${id}:type`,
        label: `Type of ${label}`,
        base: b,
        theirs: t,
        mine: m,
      });
      continue;
    }
    const out: Record<string, unknown> = { id };
    for (const k of stageFieldKeys(b, t, m)) {
      const r = pick(fieldsOf(b)[k], fieldsOf(t)[k], fieldsOf(m)[k]);
      if (r === "conflict") {
        conflicts.push({
          key: `stage:${id}:${k}`,
          label: `${STAGE_FIELD_LABELS[k] ?? k} of ${label}`,
          base: fieldsOf(b)[k],
          theirs: fieldsOf(t)[k],
          mine: fieldsOf(m)[k],
        });
      } else if (r.value !== undefined) out[k] = r.value;
    }
    merged.set(id, out as StageInput);
  }

  // Order of the stages both sides kept: whoever reordered wins; both differently → conflict.
  const keptIds = (list: StageInput[]) =>
    list.flatMap((s) => (s.id && merged.has(s.id) ? [s.id] : []));
  const baseSeq = keptIds(base.stages);
  const theirSeq = keptIds(theirs.stages);
  const mineSeq = keptIds(mine.stages);
  const addedByThem = (s: StageInput) => !s.id || !baseById.has(s.id);
  const addedByMe = (s: StageInput) => !s.id || (!baseById.has(s.id) && !theirsById.has(s.id));
  let stages: StageInput[] = [];
  const resolve = (ids: string[]) => ids.map((id) => merged.get(id) as StageInput);
  if (same(mineSeq, baseSeq) || same(mineSeq, theirSeq)) {
    const withTheirs = placeAdditions(resolve(theirSeq), theirs.stages, addedByThem);
    stages = placeAdditions(withTheirs, mine.stages, addedByMe);
  } else if (same(theirSeq, baseSeq)) {
    const withMine = placeAdditions(resolve(mineSeq), mine.stages, addedByMe);
    stages = placeAdditions(withMine, theirs.stages, addedByThem);
  } else {
    conflicts.push({
      key: "order",
      label: "Stage order",
      base: baseSeq,
      theirs: theirSeq,
      mine: mineSeq,
    });
  }
  if (conflicts.length > 0) return { ok: false, conflicts, theirChanges };
  return { ok: true, merged: { ...settings, stages }, theirChanges };
}
