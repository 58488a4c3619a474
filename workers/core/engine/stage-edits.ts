import type { Stage, StageInput } from "./schemas";

export type StageEditPlan = {
  /** The new stages, each with its id: kept, new, or new because its type changed. */
  stages: Stage[];
  /** Stages that no longer exist, with their place in the old order. */
  removed: { id: string; index: number }[];
  /**
   * For each removed stage, where the people at it (only Complete/Unsubscribed may be)
   * point now: the next old stage that still exists, or null (past the last stage).
   */
  repoint: Map<string, string | null>;
};

/**
 * An edit of a campaign's stages, by id: a stage keeps its id (and so everyone waiting
 * for it) however it moves; a stage without an id is new; a stage whose type changes is a
 * new stage with a new id, and the old one counts as removed.
 */
export function planStageEdit(
  old: Stage[],
  incoming: StageInput[],
  newId: () => string,
): StageEditPlan {
  const oldById = new Map(old.map((s) => [s.id, s]));
  const stages = incoming.map((s): Stage => {
    const before = s.id ? oldById.get(s.id) : undefined;
    const id = s.id && (!before || before.type === s.type) ? s.id : newId();
    return { ...s, id } as Stage;
  });
  const kept = new Set(stages.map((s) => s.id));
  const removed = old.flatMap((s, index) => (kept.has(s.id) ? [] : [{ id: s.id, index }]));
  const repoint = new Map<string, string | null>();
  for (const { id, index } of removed) {
    const next = old.slice(index + 1).find((s) => kept.has(s.id));
    repoint.set(id, next?.id ?? null);
  }
  return { stages, removed, repoint };
}

/** The old stages at or before a removed one: nobody still going may be there. */
export function stagesAtOrBefore(old: Stage[], index: number): string[] {
  return old.slice(0, index + 1).map((s) => s.id);
}
