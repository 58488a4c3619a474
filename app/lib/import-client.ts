// The import page's calls to its endpoint (/people/import/rows): JSON in, checked JSON
// out, retried where a retry is safe.
import { z } from "zod";

const ENDPOINT = "/people/import/rows";
const ATTEMPTS = 3;

export const Started = z.object({ importId: z.string() });
const ErrorBody = z.object({ error: z.object({ message: z.string() }) });

type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs JSON to the import endpoint. Network failures, 5xx, 429 and answers that are not
 * ours are retried (ATTEMPTS in all); other refusals are final. Safe to retry: the server
 * commits each chunk once.
 */
export async function postJson<T>(body: unknown, schema: z.ZodType<T>): Promise<Outcome<T>> {
  let message = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await wait(700 * (attempt - 1));
    let res: Response;
    try {
      res = await fetch(ENDPOINT, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      message = "the connection to Beacon failed";
      continue;
    }
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data };
      message = "Beacon sent an answer this page does not understand";
      continue;
    }
    const error = ErrorBody.safeParse(json);
    message = error.success
      ? error.data.error.message
      : `Beacon could not take them (HTTP ${res.status})`;
    if (res.status < 500 && res.status !== 429) return { ok: false, message };
  }
  return { ok: false, message };
}
