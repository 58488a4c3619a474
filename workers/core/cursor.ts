import { z } from "zod";

/** A list position: the sort key of the last row handed out, then its id. */
export type CursorKey = readonly (string | number | null)[];

export type CursorDecoding<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

/** Far longer than any key we write; anything longer is not ours and not worth decoding. */
const MAX_CURSOR_LENGTH = 2048;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A list's opaque `nextCursor`: base64url (unpadded) of the key as JSON. */
export function encodeCursor(key: CursorKey): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(key))) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function notOurs(why: string): { ok: false; message: string } {
  return { ok: false, message: `The cursor is not one this list gave out: ${why}.` };
}

/** The UTF-8 text inside base64url (or base64, as older cursors were), or null. */
function fromBase64(raw: string): string | null {
  if (!BASE64.test(raw)) return null;
  const b64 = raw.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (b64.length % 4 === 1) return null;
  try {
    const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
}

/** The key a `cursor` parameter carries, checked with `schema`; absent or empty is undefined. */
export function decodeCursor<T>(
  raw: string | null | undefined,
  schema: z.ZodType<T>,
): CursorDecoding<T> {
  if (raw === null || raw === undefined || raw === "") return { ok: true, value: undefined };
  if (raw.length > MAX_CURSOR_LENGTH) return notOurs("it is too long");
  const text = fromBase64(raw);
  if (text === null) return notOurs("it is not base64url text");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return notOurs("it is not JSON");
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : notOurs("it is not a position in this list");
}

/** A query's `cursor` field: the key it carries (undefined when absent), or an issue on `cursor`. */
export function cursorParam<T>(schema: z.ZodType<T>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      const decoded = decodeCursor(raw, schema);
      if (decoded.ok) return decoded.value;
      ctx.addIssue({ code: "custom", message: decoded.message });
      return z.NEVER;
    });
}

/** What is wrong with a query's `cursor`, when that is among its issues (a 400, not a 422). */
export function cursorProblem(error: z.ZodError): string | undefined {
  return error.issues.find((i) => i.path[0] === "cursor")?.message;
}
