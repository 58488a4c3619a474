export const ENGAGEMENT_KINDS = ["open", "click", "download", "reply"] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];
export type EngagementEvent = { personId: string; stageIndex: number; kind: EngagementKind };

export type Measure = {
  people: number;
  /** people / all people in the campaign, 0..1 (0 for an empty campaign). */
  rate: number;
};
export type MetricSet = {
  opened: Measure;
  clicked: Measure;
  downloaded: Measure;
  replied: Measure;
};
export type StageMetrics = MetricSet & { stageIndex: number };
export type CampaignMetrics = { prospects: number; stages: StageMetrics[]; totals: MetricSet };

const KEY: Record<EngagementKind, keyof MetricSet> = {
  open: "opened",
  click: "clicked",
  download: "downloaded",
  reply: "replied",
};

type PeopleSets = Record<keyof MetricSet, Set<string>>;
const emptySets = (): PeopleSets => ({
  opened: new Set(),
  clicked: new Set(),
  downloaded: new Set(),
  replied: new Set(),
});

function measure(sets: PeopleSets, total: number): MetricSet {
  const m = (s: Set<string>): Measure => ({ people: s.size, rate: total > 0 ? s.size / total : 0 });
  return {
    opened: m(sets.opened),
    clicked: m(sets.clicked),
    downloaded: m(sets.downloaded),
    replied: m(sets.replied),
  };
}

/**
 * Per stage: people who did X at that stage / all people in the campaign. Totals: people
 * who did X at any stage / all people. A person counts once however often they did it.
 */
export function campaignMetrics(
  events: EngagementEvent[],
  totalProspects: number,
  stageCount: number,
): CampaignMetrics {
  const perStage: PeopleSets[] = Array.from({ length: stageCount }, emptySets);
  const totals = emptySets();
  for (const e of events) {
    const key = KEY[e.kind];
    // An event of a stage deleted since still counts in the totals.
    perStage[e.stageIndex]?.[key].add(e.personId);
    totals[key].add(e.personId);
  }
  return {
    prospects: totalProspects,
    stages: perStage.map((sets, stageIndex) => ({ stageIndex, ...measure(sets, totalProspects) })),
    totals: measure(totals, totalProspects),
  };
}

/** Across campaigns: people (per campaign) who did X / all prospects of those campaigns. */
export function accountMetrics(campaigns: Pick<CampaignMetrics, "prospects" | "totals">[]): {
  prospects: number;
  totals: MetricSet;
} {
  const prospects = campaigns.reduce((sum, c) => sum + c.prospects, 0);
  const sum = (k: keyof MetricSet) => {
    const people = campaigns.reduce((s, c) => s + c.totals[k].people, 0);
    return { people, rate: prospects > 0 ? people / prospects : 0 };
  };
  return {
    prospects,
    totals: {
      opened: sum("opened"),
      clicked: sum("clicked"),
      downloaded: sum("downloaded"),
      replied: sum("replied"),
    },
  };
}
