import type { MailboxData, PersonData } from "../core/engine/screening";
import { jsonIdChunks } from "../db/json-ids";
import { limitD1 } from "../db/limits";

export type { MailboxData, PersonData };

/** What one batch of the pipeline reads from D1, fresh: all of it in one round trip. */
export type BatchReads = {
  people: Map<string, PersonData>;
  suppressed: { addresses: Set<string>; people: Set<string> };
  mailboxes: Map<string, MailboxData>;
  jobTitle: string | null;
  /** The team's time zone ("UTC" when it has none set). */
  teamTz: string;
};

const IN_IDS = "IN (SELECT value FROM json_each(?))";
const TEAM_TIME_ZONE = "SELECT time_zone FROM team_settings WHERE team_id = ?";

/**
 * The batch's people (names, addresses, phones), who among them is suppressed (by id or
 * by any of their addresses), its mailboxes and the job title: one D1 batch, each id list
 * bound as one JSON parameter (json-ids.ts; a batch is 100 people, far below one chunk).
 * `+team_id`: the team is checked on each row found by id, never searched by (json-ids.ts
 * onlyChecks): by team_id, SQLite would read every person of the team for 100.
 */
export async function loadBatchData(
  d1Raw: D1Database,
  teamId: string,
  personIds: string[],
  mailboxIds: string[],
  jobId: string | null,
): Promise<BatchReads> {
  const d1 = limitD1(d1Raw);
  const [ids] = jsonIdChunks(personIds, "person id");
  const [boxes] = jsonIdChunks(mailboxIds, "mailbox id");
  const out: BatchReads = {
    people: new Map(),
    suppressed: { addresses: new Set(), people: new Set() },
    mailboxes: new Map(),
    jobTitle: null,
    teamTz: "UTC",
  };
  const none = "[]";
  const [people, emails, phones, suppressed, mailboxes, job, settings] = await d1.batch<
    Record<string, unknown>
  >([
    d1
      .prepare(
        `SELECT id, first_name, last_name, time_zone FROM person WHERE +team_id = ? AND id ${IN_IDS}`,
      )
      .bind(teamId, ids ?? none),
    d1
      .prepare(
        `SELECT person_id, address, type, normalized FROM person_email
         WHERE +team_id = ? AND person_id ${IN_IDS} ORDER BY position`,
      )
      .bind(teamId, ids ?? none),
    d1
      .prepare(
        `SELECT person_id, number FROM person_phone WHERE +team_id = ? AND person_id ${IN_IDS} ORDER BY position`,
      )
      .bind(teamId, ids ?? none),
    d1
      .prepare(
        // Two searches, by person and by address (an OR of the two reads the team's whole list).
        `SELECT normalized, person_id FROM suppression WHERE team_id = ?1 AND person_id ${IN_IDS.replace("?", "?2")}
         UNION ALL
         SELECT normalized, person_id FROM suppression WHERE team_id = ?1 AND normalized IN
           (SELECT normalized FROM person_email WHERE +team_id = ?1 AND person_id ${IN_IDS.replace("?", "?2")})`,
      )
      .bind(teamId, ids ?? none),
    d1
      .prepare(
        `SELECT id, address, name, can_send, daily_cap FROM mailbox WHERE +team_id = ? AND id ${IN_IDS}`,
      )
      .bind(teamId, boxes ?? none),
    d1.prepare("SELECT title FROM job WHERE team_id = ? AND id = ?").bind(teamId, jobId ?? ""),
    d1.prepare(TEAM_TIME_ZONE).bind(teamId),
  ]);
  for (const r of people.results) {
    out.people.set(String(r.id), {
      id: String(r.id),
      firstName: String(r.first_name),
      lastName: r.last_name == null ? null : String(r.last_name),
      timeZone: r.time_zone == null ? null : String(r.time_zone),
      emails: [],
      phones: [],
    });
  }
  for (const r of emails.results) {
    out.people.get(String(r.person_id))?.emails.push({
      address: String(r.address),
      type: r.type === "work" ? "work" : "personal",
      normalized: String(r.normalized),
    });
  }
  for (const r of phones.results)
    out.people.get(String(r.person_id))?.phones.push(String(r.number));
  for (const r of suppressed.results) {
    out.suppressed.addresses.add(String(r.normalized));
    if (r.person_id != null) out.suppressed.people.add(String(r.person_id));
  }
  for (const r of mailboxes.results) {
    out.mailboxes.set(String(r.id), {
      id: String(r.id),
      address: String(r.address),
      name: String(r.name),
      canSend: Number(r.can_send) === 1,
      dailyCap: r.daily_cap == null ? null : Number(r.daily_cap),
    });
  }
  const title = job.results[0]?.title;
  out.jobTitle = jobId && title != null ? String(title) : null;
  const tz = settings.results[0]?.time_zone;
  if (tz != null) out.teamTz = String(tz);
  return out;
}

export async function loadTeamTimeZone(d1Raw: D1Database, teamId: string): Promise<string> {
  const row = await limitD1(d1Raw)
    .prepare(TEAM_TIME_ZONE)
    .bind(teamId)
    .first<{ time_zone: string }>();
  return row?.time_zone ?? "UTC";
}
