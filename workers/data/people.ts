import { and, asc, eq, getTableColumns, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { encodeCursor } from "../core/cursor";
import { newOrderedId } from "../core/ids";
import {
  escapeLike,
  normalizeEmail,
  type PeopleCursor,
  type PersonEmail,
  type PersonInput,
  type PersonJson,
  type PersonPatch,
  type PersonPhone,
  personSearchText,
  personSortName,
} from "../core/people";
import { type Db, schema } from "../db/client";
import { onlyChecks } from "../db/json-ids";
import { D1_LIMITS } from "../db/limits";

export type { PersonJson };

export type PeoplePage = { items: PersonJson[]; nextCursor?: string };

type Statement = BatchItem<"sqlite">;

/** How many rows one multi-row INSERT into `table` may carry under D1's parameter limit. */
export function rowsPerStatement(table: SQLiteTable): number {
  return Math.max(1, Math.floor(D1_LIMITS.maxParams / Object.keys(getTableColumns(table)).length));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs statements as one D1 batch (one transaction). */
export async function runBatch(d: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const [first, ...rest] = statements;
  await d.batch([first, ...rest]);
}

const blankToNull = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);

function emailRows(teamId: string, personId: string, emails: readonly PersonEmail[]) {
  return emails.map((e, position) => ({
    id: crypto.randomUUID(),
    teamId,
    personId,
    address: e.address.trim(),
    type: e.type,
    normalized: normalizeEmail(e.address),
    position,
  }));
}

function phoneRows(teamId: string, personId: string, phones: readonly PersonPhone[]) {
  return phones.map((p, position) => ({
    id: crypto.randomUUID(),
    teamId,
    personId,
    number: p.number.trim(),
    type: p.type,
    position,
  }));
}

function emailInserts(d: Db, rows: ReturnType<typeof emailRows>): Statement[] {
  return chunks(rows, rowsPerStatement(schema.personEmail)).map((c) =>
    d.insert(schema.personEmail).values(c),
  );
}

function phoneInserts(d: Db, rows: ReturnType<typeof phoneRows>): Statement[] {
  return chunks(rows, rowsPerStatement(schema.personPhone)).map((c) =>
    d.insert(schema.personPhone).values(c),
  );
}

/**
 * The INSERT statements for many people, each under D1's 100-parameter limit; run them in
 * one `d.batch` (alone, or with other statements that must commit with them).
 */
export function peopleInsertStatements(
  d: Db,
  teamId: string,
  ownerId: string | null,
  people: readonly PersonInput[],
  now = new Date(),
): { ids: string[]; statements: Statement[] } {
  const ids: string[] = [];
  const persons: (typeof schema.person.$inferInsert)[] = [];
  const emails: ReturnType<typeof emailRows> = [];
  const phones: ReturnType<typeof phoneRows> = [];
  for (const p of people) {
    const id = newOrderedId();
    ids.push(id);
    const lastName = blankToNull(p.lastName);
    persons.push({
      id,
      teamId,
      ownerId,
      firstName: p.firstName.trim(),
      lastName,
      timeZone: blankToNull(p.timeZone),
      sortName: personSortName(p.firstName, lastName),
      searchText: personSearchText(p.firstName, lastName, p.emails ?? []),
      createdAt: now,
      updatedAt: now,
    });
    emails.push(...emailRows(teamId, id, p.emails ?? []));
    phones.push(...phoneRows(teamId, id, p.phones ?? []));
  }
  const statements: Statement[] = [
    ...chunks(persons, rowsPerStatement(schema.person)).map((c) =>
      d.insert(schema.person).values(c),
    ),
    ...emailInserts(d, emails),
    ...phoneInserts(d, phones),
  ];
  return { ids, statements };
}

/** People per D1 batch in insertPeople: ~80 statements, far below 1,000 queries. */
const PEOPLE_PER_BATCH = 500;

/**
 * Inserts many people of a team, owned by `ownerId`; each group of 500 people commits
 * atomically in one D1 batch. Returns the new ids in input order.
 */
export async function insertPeople(
  d: Db,
  teamId: string,
  ownerId: string | null,
  people: readonly PersonInput[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const group of chunks(people, PEOPLE_PER_BATCH)) {
    const built = peopleInsertStatements(d, teamId, ownerId, group);
    await runBatch(d, built.statements);
    ids.push(...built.ids);
  }
  return ids;
}

type PersonRow = typeof schema.person.$inferSelect;
type EmailRow = typeof schema.personEmail.$inferSelect;
type PhoneRow = typeof schema.personPhone.$inferSelect;

function toJson(row: PersonRow, emails: EmailRow[], phones: PhoneRow[]): PersonJson {
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    timeZone: row.timeZone,
    ownerId: row.ownerId,
    emails: emails
      .filter((e) => e.personId === row.id)
      .sort((a, b) => a.position - b.position)
      .map((e) => ({ address: e.address, type: e.type })),
    phones: phones
      .filter((p) => p.personId === row.id)
      .sort((a, b) => a.position - b.position)
      .map((p) => ({ number: p.number, type: p.type })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    outreach: [],
  };
}

/** Creates one person of a team; the API key's or signed-in user is the owner. */
export async function createPerson(
  d: Db,
  teamId: string,
  ownerId: string | null,
  input: PersonInput,
): Promise<PersonJson> {
  const [id] = await insertPeople(d, teamId, ownerId, [input]);
  const person = await getPerson(d, teamId, id);
  if (!person) throw new Error(`person ${id} vanished right after it was inserted`);
  return person;
}

/** One person of the team, or null (also for another team's id). */
export async function getPerson(d: Db, teamId: string, id: string): Promise<PersonJson | null> {
  const [rows, emails, phones] = await d.batch([
    d
      .select()
      .from(schema.person)
      .where(and(eq(schema.person.teamId, teamId), eq(schema.person.id, id))),
    d
      .select()
      .from(schema.personEmail)
      .where(and(eq(schema.personEmail.teamId, teamId), eq(schema.personEmail.personId, id))),
    d
      .select()
      .from(schema.personPhone)
      .where(and(eq(schema.personPhone.teamId, teamId), eq(schema.personPhone.personId, id))),
  ]);
  return rows[0] ? toJson(rows[0], emails, phones) : null;
}

/** Applies an edit; emails/phones, when given, replace the lists. Null when not found. */
export async function updatePerson(
  d: Db,
  teamId: string,
  id: string,
  patch: PersonPatch,
  now = new Date(),
): Promise<PersonJson | null> {
  const current = await getPerson(d, teamId, id);
  if (!current) return null;
  const firstName = patch.firstName?.trim() ?? current.firstName;
  const lastName = patch.lastName === undefined ? current.lastName : blankToNull(patch.lastName);
  const timeZone = patch.timeZone === undefined ? current.timeZone : blankToNull(patch.timeZone);
  const emails = patch.emails ?? current.emails;
  const mine = and(eq(schema.person.teamId, teamId), eq(schema.person.id, id));
  const statements: Statement[] = [
    d
      .update(schema.person)
      .set({
        firstName,
        lastName,
        timeZone,
        sortName: personSortName(firstName, lastName),
        searchText: personSearchText(firstName, lastName, emails),
        updatedAt: now,
      })
      .where(mine),
  ];
  if (patch.emails) {
    statements.push(
      d
        .delete(schema.personEmail)
        .where(and(eq(schema.personEmail.teamId, teamId), eq(schema.personEmail.personId, id))),
      ...emailInserts(d, emailRows(teamId, id, patch.emails)),
    );
  }
  if (patch.phones) {
    statements.push(
      d
        .delete(schema.personPhone)
        .where(and(eq(schema.personPhone.teamId, teamId), eq(schema.personPhone.personId, id))),
      ...phoneInserts(d, phoneRows(teamId, id, patch.phones)),
    );
  }
  await runBatch(d, statements);
  return getPerson(d, teamId, id);
}

/**
 * Deletes a person of the team with their emails and phones; false when not found.
 * (Removing them from campaigns is the engine's part; the Email Log keeps what was sent.)
 */
export async function deletePerson(d: Db, teamId: string, id: string): Promise<boolean> {
  const [, , deleted] = await d.batch([
    d
      .delete(schema.personEmail)
      .where(and(eq(schema.personEmail.teamId, teamId), eq(schema.personEmail.personId, id))),
    d
      .delete(schema.personPhone)
      .where(and(eq(schema.personPhone.teamId, teamId), eq(schema.personPhone.personId, id))),
    d
      .delete(schema.person)
      .where(and(eq(schema.person.teamId, teamId), eq(schema.person.id, id)))
      .returning({ id: schema.person.id }),
  ]);
  return deleted.length > 0;
}

/**
 * One page of a team's people ordered by (sort_name, id), optionally filtered by a
 * name/email search. Keyset pagination walks person_team_sort_idx, so page 200 costs what
 * page 1 does.
 */
export async function listPeople(
  d: Db,
  teamId: string,
  opts: { q?: string; cursor?: PeopleCursor; limit: number },
): Promise<PeoplePage> {
  const p = schema.person;
  const q = opts.q?.trim().toLowerCase();
  const rows = await d
    .select()
    .from(p)
    .where(
      and(
        eq(p.teamId, teamId),
        q ? sql`${p.searchText} like ${`%${escapeLike(q)}%`} escape '\\'` : undefined,
        opts.cursor
          ? sql`(${p.sortName}, ${p.id}) > (${opts.cursor.sortName}, ${opts.cursor.id})`
          : undefined,
      ),
    )
    .orderBy(asc(p.sortName), asc(p.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  if (page.length === 0) return { items: [] };
  // One bound parameter for the whole page (json_each), whatever its size.
  const ids = JSON.stringify(page.map((r) => r.id));
  const [emails, phones] = await d.batch([
    d
      .select()
      .from(schema.personEmail)
      .where(
        and(
          onlyChecks(schema.personEmail.teamId, teamId),
          sql`${schema.personEmail.personId} in (select value from json_each(${ids}))`,
        ),
      ),
    d
      .select()
      .from(schema.personPhone)
      .where(
        and(
          onlyChecks(schema.personPhone.teamId, teamId),
          sql`${schema.personPhone.personId} in (select value from json_each(${ids}))`,
        ),
      ),
  ]);
  const items = page.map((r) => toJson(r, emails, phones));
  const last = page[page.length - 1];
  return rows.length > opts.limit
    ? { items, nextCursor: encodeCursor([last.sortName, last.id]) }
    : { items };
}

/** How many people the team has. */
export async function countPeople(d: Db, teamId: string): Promise<number> {
  const [row] = await d
    .select({ n: sql<number>`count(*)` })
    .from(schema.person)
    .where(eq(schema.person.teamId, teamId));
  return row?.n ?? 0;
}
