import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  CHUNK_ROWS,
  type ChunkResult,
  type ImportChunk,
  type ImportStart,
  type RowError,
  validateRows,
} from "../core/csv-import";
import { type Db, schema } from "../db/client";
import { peopleInsertStatements } from "./people";

const StoredErrors = z.array(z.object({ line: z.number(), reason: z.string() }));
const Totals = z.array(z.object({ committedRows: z.number(), badRows: z.number() })).length(1);

/** Records a new CSV import of the team by a user; its chunks arrive next. */
export async function startImport(
  d: Db,
  teamId: string,
  userId: string,
  input: ImportStart,
): Promise<{ importId: string }> {
  const importId = crypto.randomUUID();
  await d.insert(schema.csvImport).values({
    id: importId,
    teamId,
    userId,
    fileName: input.fileName,
    totalRows: input.totalRows,
  });
  return { importId };
}

export type CommitOutcome =
  | { ok: true; result: ChunkResult }
  | { ok: false; status: 404 | 422; message: string };

function isUniqueViolation(e: unknown): boolean {
  const text = e instanceof Error ? `${e.message} ${String(e.cause ?? "")}` : String(e);
  return /UNIQUE constraint failed|PRIMARY KEY/i.test(text);
}

async function alreadyCommitted(
  d: Db,
  teamId: string,
  importId: string,
  chunkIndex: number,
): Promise<ChunkResult | null> {
  const [chunk, imp] = await d.batch([
    d
      .select()
      .from(schema.csvImportChunk)
      .where(
        and(
          eq(schema.csvImportChunk.importId, importId),
          eq(schema.csvImportChunk.chunkIndex, chunkIndex),
        ),
      ),
    d
      .select()
      .from(schema.csvImport)
      .where(and(eq(schema.csvImport.id, importId), eq(schema.csvImport.teamId, teamId))),
  ]);
  if (!chunk[0] || !imp[0]) return null;
  return {
    chunkIndex,
    committedRows: imp[0].committedRows,
    badRows: imp[0].badRows,
    errors: StoredErrors.parse(JSON.parse(chunk[0].errors)),
    alreadyCommitted: true,
  };
}

/**
 * Validates a chunk's rows and inserts the good ones, once: the chunk's record, its people
 * and the import's running totals commit in one D1 batch, so a retried chunk finds its
 * record and inserts nothing. The rows' owner is the user who imports.
 */
export async function commitImportChunk(
  d: Db,
  teamId: string,
  ownerId: string,
  chunk: ImportChunk,
): Promise<CommitOutcome> {
  const imp = await d.query.csvImport.findFirst({
    where: and(eq(schema.csvImport.id, chunk.importId), eq(schema.csvImport.teamId, teamId)),
  });
  if (!imp) return { ok: false, status: 404, message: "No such import in your team." };
  if (chunk.chunkIndex * CHUNK_ROWS >= imp.totalRows) {
    return {
      ok: false,
      status: 422,
      message: `chunkIndex: the file has ${imp.totalRows} rows, so chunk ${chunk.chunkIndex} cannot exist`,
    };
  }
  const before = await alreadyCommitted(d, teamId, chunk.importId, chunk.chunkIndex);
  if (before) return { ok: true, result: before };

  const { people, errors } = validateRows(chunk.rows, chunk.mapping);
  const inserts = peopleInsertStatements(d, teamId, ownerId, people);
  const record = d.insert(schema.csvImportChunk).values({
    importId: chunk.importId,
    chunkIndex: chunk.chunkIndex,
    committed: people.length,
    errors: JSON.stringify(errors satisfies RowError[]),
  });
  const totals = d
    .update(schema.csvImport)
    .set({
      committedRows: sql`${schema.csvImport.committedRows} + ${people.length}`,
      badRows: sql`${schema.csvImport.badRows} + ${errors.length}`,
    })
    .where(and(eq(schema.csvImport.id, chunk.importId), eq(schema.csvImport.teamId, teamId)))
    .returning({
      committedRows: schema.csvImport.committedRows,
      badRows: schema.csvImport.badRows,
    });
  try {
    // The chunk record goes first: if a concurrent retry committed it already, its
    // primary key fails the whole batch and nothing is inserted twice.
    const results = await d.batch([record, ...inserts.statements, totals]);
    const [after] = Totals.parse(results[results.length - 1]);
    return {
      ok: true,
      result: {
        chunkIndex: chunk.chunkIndex,
        committedRows: after.committedRows,
        badRows: after.badRows,
        errors,
        alreadyCommitted: false,
      },
    };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = await alreadyCommitted(d, teamId, chunk.importId, chunk.chunkIndex);
    if (!raced) throw e;
    return { ok: true, result: raced };
  }
}
