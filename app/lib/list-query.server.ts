import { cursorProblem } from "@workers/core/cursor";
import type { z } from "zod";

/** What a list page says when its link's cursor is not one the list gave out. */
export const BAD_CURSOR_NOTICE =
  "This link's page position (cursor) is not one this list gave out, so the first page is shown.";

export type ListQuery<T> = {
  query: T;
  /** The notice for a cursor the list did not give out (the page answers 400), else null. */
  cursorNotice: string | null;
  /** Another parameter could not be read, so the defaults are used. */
  badLink: boolean;
  /** The status of the page's response: 400 for a bad cursor. */
  status: 200 | 400;
};

/**
 * A list page's URL parameters parsed with the list's query schema. A bad cursor shows the
 * first page with the same filters and a notice, answered 400; other unreadable parameters
 * fall back to `defaults` with `badLink`, as the pages have always done.
 */
export function readListQuery<S extends z.ZodType>(
  schema: S,
  given: Record<string, string>,
  defaults: z.input<S>,
): ListQuery<z.output<S>> {
  const parsed = schema.safeParse(given);
  if (parsed.success) {
    return { query: parsed.data, cursorNotice: null, badLink: false, status: 200 };
  }
  if (cursorProblem(parsed.error) === undefined) {
    return { query: schema.parse(defaults), cursorNotice: null, badLink: true, status: 200 };
  }
  const { cursor: _dropped, ...rest } = given;
  const retried = schema.safeParse(rest);
  return {
    query: retried.success ? retried.data : schema.parse(defaults),
    cursorNotice: BAD_CURSOR_NOTICE,
    badLink: !retried.success,
    status: 400,
  };
}

/** The URL's parameters that have a value ("Any" in a select sends an empty one). */
export function givenParams(request: Request): Record<string, string> {
  const sp = new URL(request.url).searchParams;
  return Object.fromEntries([...sp].filter(([, v]) => v.trim() !== ""));
}
