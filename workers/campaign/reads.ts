import { decodeCursor, encodeCursor } from "../core/cursor";
import type { ProspectFilter } from "../core/engine/schemas";
import { ProspectCursorSchema } from "../core/prospect-list";
import { badCursor, ok } from "./result";
import {
  type CampaignDef,
  type CampaignStore,
  type PageKey,
  type Prospect,
  type ProspectFilterArgs,
  type ProspectOrder,
  pageKeyOf,
} from "./store";
import { campaignView, messageRow, prospectRow } from "./views";

/** The Prospects list's sorts and the columns they order by. */
export const PROSPECT_SORTS = ["created", "status", "name", "next"] as const;
export type ProspectSort = (typeof PROSPECT_SORTS)[number];
const SORT_COLUMNS: Record<ProspectSort, ProspectOrder> = {
  created: "enrolled_at",
  status: "status",
  name: "name",
  next: "next_at",
};
const sortKey = (p: Prospect, sort: ProspectSort) =>
  ({ created: p.enrolledAt, status: p.status, name: p.name, next: p.nextAt ?? 0 })[sort];

/** A list filter by stage index (as the API's `stage`) into the stored position. */
function filterArgs(store: CampaignStore, f: ProspectFilter): ProspectFilterArgs {
  return {
    status: f.status,
    ...(f.stage === undefined ? {} : { stageId: store.meta.idAt(f.stage) }),
  };
}

/** One page of the Prospects list; a cursor this list did not give out is a 4xx. */
export function prospectPage(
  store: CampaignStore,
  q: { filter: ProspectFilter; sort: ProspectSort; cursor?: string; limit: number },
) {
  const def = store.def();
  const after = decodeCursor(q.cursor, ProspectCursorSchema);
  if (!after.ok) return badCursor(after.message);
  const rows = store.prospects.list({
    filter: filterArgs(store, q.filter),
    orderBy: SORT_COLUMNS[q.sort],
    afterKey: after.value,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return ok({
    items: page.map((p) => prospectRow(p, def)),
    nextCursor:
      rows.length > q.limit && last
        ? encodeCursor([sortKey(last, q.sort), last.personId])
        : undefined,
  });
}

/** Every row matching the filters (the CSV export), in enrolment order. */
export function exportRows(store: CampaignStore, filter: ProspectFilter) {
  const def = store.def();
  return store.prospects.page(filterArgs(store, filter), null, -1).map((p) => prospectRow(p, def));
}

/** Rows of the CSV export per call (an RPC answer stays a few MB). */
export const EXPORT_PAGE = 10_000;

/** One page of the CSV export after `after` (enrolment order); `next` is null at the end. */
export function exportPage(
  store: CampaignStore,
  filter: ProspectFilter,
  after: PageKey | null,
  limit = EXPORT_PAGE,
) {
  const def = store.def();
  const rows = store.prospects.page(filterArgs(store, filter), after, limit);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((p) => prospectRow(p, def)),
    next: rows.length === limit && last ? pageKeyOf(last) : null,
  };
}

/** One person's place in this campaign, with history and messages (the profile's Outreach section). */
export function outreach(store: CampaignStore, personId: string) {
  const def = store.getDef();
  const p = store.prospects.get(personId);
  if (!def || !p) return null;
  return {
    campaign: { id: def.id, name: def.name, status: def.status },
    prospect: prospectRow(p, def),
    history: store.history.of(personId),
    messages: store.messages.of(personId).map((m) => messageRow(m, def)),
  };
}

/** The campaign as the API shows it, with its prospect counts. */
export function campaignViewOf(def: CampaignDef, store: CampaignStore) {
  return campaignView(def, store.prospects.statusCounts());
}
