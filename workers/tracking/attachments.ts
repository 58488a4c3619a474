import { clock } from "../clock";
import { type AttachmentRef, MAX_ATTACHMENT_BYTES } from "../core/engine/schemas";

/**
 * Files an email stage sends as tracked download links: bytes in R2 (`MAIL`, under
 * `attachments/<team>/<id>`), the row in D1 `attachment`. Used by the API
 * (POST /api/v1/attachments) and the pages' resource route alike.
 */

const PREFIX = "attachments";
const NAME_MAX = 255;

export type StoreResult =
  | { ok: true; attachment: AttachmentRef & { contentType: string } }
  | { ok: false; status: 400 | 413; code: "bad_request" | "payload_too_large"; message: string };

/** A file name safe to show and to put in Content-Disposition: no path, no control characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  return clean.slice(0, NAME_MAX) || "file";
}

/** Stores one uploaded file for the team (≤ 10 MB, else 413). */
export async function storeAttachment(env: Env, teamId: string, file: File): Promise<StoreResult> {
  if (file.size > MAX_ATTACHMENT_BYTES) {
    return {
      ok: false,
      status: 413,
      code: "payload_too_large",
      message: `${cleanFileName(file.name)} is larger than 10 MB (${file.size} bytes).`,
    };
  }
  if (file.size === 0) {
    return { ok: false, status: 400, code: "bad_request", message: "The file is empty." };
  }
  const id = crypto.randomUUID();
  const name = cleanFileName(file.name);
  const contentType = file.type || "application/octet-stream";
  const key = `${PREFIX}/${teamId}/${id}`;
  await env.MAIL.put(key, file.stream(), {
    httpMetadata: { contentType },
    customMetadata: { teamId, name },
  });
  await env.DB.prepare(
    "INSERT INTO attachment (id, team_id, name, size, key, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(id, teamId, name, file.size, key, contentType, clock.now())
    .run();
  return { ok: true, attachment: { id, name, size: file.size, contentType } };
}

/**
 * The email stages' attachments that are not the team's uploads, by place (stage `stage`,
 * file `file`): one query, whatever the count (a stage has at most a handful).
 */
export async function foreignAttachments(
  env: Env,
  teamId: string,
  stages: readonly { type: string; attachments?: readonly { id: string }[] }[],
): Promise<{ stage: number; file: number }[]> {
  const refs = stages.flatMap((s, stage) =>
    s.type === "email" ? (s.attachments ?? []).map((a, file) => ({ id: a.id, stage, file })) : [],
  );
  if (refs.length === 0) return [];
  const found = await env.DB.prepare(
    "SELECT id FROM attachment WHERE team_id = ? AND id IN (SELECT value FROM json_each(?))",
  )
    .bind(teamId, JSON.stringify([...new Set(refs.map((r) => r.id))]))
    .all<{ id: string }>();
  const ours = new Set(found.results.map((r) => r.id));
  return refs.filter((r) => !ours.has(r.id)).map(({ stage, file }) => ({ stage, file }));
}

/** The team's attachments, newest first. */
export async function listAttachments(env: Env, teamId: string, limit = 200) {
  const rows = await env.DB.prepare(
    "SELECT id, name, size, content_type, created_at FROM attachment WHERE team_id = ? ORDER BY created_at DESC LIMIT ?",
  )
    .bind(teamId, limit)
    .all<{ id: string; name: string; size: number; content_type: string; created_at: number }>();
  return rows.results.map((r) => ({
    id: r.id,
    name: r.name,
    size: r.size,
    contentType: r.content_type,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** An attachment as a download response (no body for HEAD), or null when it is not the team's. */
export async function readAttachment(
  env: Env,
  teamId: string,
  id: string,
  headOnly: boolean,
): Promise<Response | null> {
  const row = await env.DB.prepare(
    "SELECT name, size, key, content_type FROM attachment WHERE id = ? AND team_id = ?",
  )
    .bind(id, teamId)
    .first<{ name: string; size: number; key: string; content_type: string }>();
  if (!row) return null;
  const headers = {
    "Content-Type": row.content_type,
    "Content-Length": String(row.size),
    "Content-Disposition": `attachment; filename="${row.name.replace(/[^\x20-\x7e]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(row.name)}`,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  };
  if (headOnly) return new Response(null, { headers });
  const object = await env.MAIL.get(row.key);
  if (!object) return null;
  return new Response(object.body, { headers });
}
