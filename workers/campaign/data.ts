import type { MailboxData, PersonData } from "../core/engine/screening";
import { limitD1 } from "../db/limits";

export type { MailboxData, PersonData };

const IN_CHUNK = 90;

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const marks = (n: number) => Array(n).fill("?").join(",");

export async function loadPeople(
  d1Raw: D1Database,
  teamId: string,
  ids: string[],
): Promise<Map<string, PersonData>> {
  const d1 = limitD1(d1Raw);
  const out = new Map<string, PersonData>();
  for (const part of chunks(ids)) {
    const [people, emails, phones] = await d1.batch<Record<string, unknown>>([
      d1
        .prepare(
          `SELECT id, first_name, last_name, time_zone FROM person WHERE team_id = ? AND id IN (${marks(part.length)})`,
        )
        .bind(teamId, ...part),
      d1
        .prepare(
          `SELECT person_id, address, type, normalized FROM person_email WHERE team_id = ? AND person_id IN (${marks(part.length)}) ORDER BY position`,
        )
        .bind(teamId, ...part),
      d1
        .prepare(
          `SELECT person_id, number FROM person_phone WHERE team_id = ? AND person_id IN (${marks(part.length)}) ORDER BY position`,
        )
        .bind(teamId, ...part),
    ]);
    for (const r of people.results) {
      out.set(String(r.id), {
        id: String(r.id),
        firstName: String(r.first_name),
        lastName: r.last_name == null ? null : String(r.last_name),
        timeZone: r.time_zone == null ? null : String(r.time_zone),
        emails: [],
        phones: [],
      });
    }
    for (const r of emails.results) {
      out.get(String(r.person_id))?.emails.push({
        address: String(r.address),
        type: r.type === "work" ? "work" : "personal",
        normalized: String(r.normalized),
      });
    }
    for (const r of phones.results) out.get(String(r.person_id))?.phones.push(String(r.number));
  }
  return out;
}

/** Suppressed (unsubscribed) addresses and people among the given ones. */
export async function loadSuppressed(
  d1Raw: D1Database,
  teamId: string,
  normalized: string[],
  personIds: string[],
): Promise<{ addresses: Set<string>; people: Set<string> }> {
  const d1 = limitD1(d1Raw);
  const addresses = new Set<string>();
  const people = new Set<string>();
  const statements: D1PreparedStatement[] = [];
  for (const part of chunks([...new Set(normalized)])) {
    statements.push(
      d1
        .prepare(
          `SELECT normalized, person_id FROM suppression WHERE team_id = ? AND normalized IN (${marks(part.length)})`,
        )
        .bind(teamId, ...part),
    );
  }
  for (const part of chunks(personIds)) {
    statements.push(
      d1
        .prepare(
          `SELECT normalized, person_id FROM suppression WHERE team_id = ? AND person_id IN (${marks(part.length)})`,
        )
        .bind(teamId, ...part),
    );
  }
  if (statements.length === 0) return { addresses, people };
  for (const res of await d1.batch<Record<string, unknown>>(statements)) {
    for (const r of res.results) {
      addresses.add(String(r.normalized));
      if (r.person_id != null) people.add(String(r.person_id));
    }
  }
  return { addresses, people };
}

export async function loadMailboxes(
  d1Raw: D1Database,
  teamId: string,
  ids: string[],
): Promise<Map<string, MailboxData>> {
  const d1 = limitD1(d1Raw);
  const out = new Map<string, MailboxData>();
  for (const part of chunks([...new Set(ids)])) {
    const res = await d1
      .prepare(
        `SELECT id, address, name, can_send, daily_cap FROM mailbox WHERE team_id = ? AND id IN (${marks(part.length)})`,
      )
      .bind(teamId, ...part)
      .all<Record<string, unknown>>();
    for (const r of res.results) {
      out.set(String(r.id), {
        id: String(r.id),
        address: String(r.address),
        name: String(r.name),
        canSend: Number(r.can_send) === 1,
        dailyCap: r.daily_cap == null ? null : Number(r.daily_cap),
      });
    }
  }
  return out;
}

export async function loadJobTitle(d1Raw: D1Database, teamId: string, jobId: string | null) {
  if (!jobId) return null;
  const row = await limitD1(d1Raw)
    .prepare("SELECT title FROM job WHERE team_id = ? AND id = ?")
    .bind(teamId, jobId)
    .first<{ title: string }>();
  return row?.title ?? null;
}

export async function loadTeamTimeZone(d1Raw: D1Database, teamId: string): Promise<string> {
  const row = await limitD1(d1Raw)
    .prepare("SELECT time_zone FROM team_settings WHERE team_id = ?")
    .bind(teamId)
    .first<{ time_zone: string }>();
  return row?.time_zone ?? "UTC";
}
