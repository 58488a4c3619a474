import { clock } from "../clock";
import { cursorProblem } from "../core/cursor";
import { listTasks, TasksQuerySchema, taskRow } from "../data/tasks";
import { errorResponse, invalidCursor, zodIssues } from "../http/errors";
import type { ApiRouter } from "./router";

/**
 * The query, or a thrown 400 naming each bad parameter (`invalid_cursor` for a cursor the
 * API did not give out). A query string is not a body: a wrong one is a bad request.
 */
function readTasksQuery(url: URL) {
  const parsed = TasksQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  const cursor = cursorProblem(parsed.error);
  if (cursor) throw invalidCursor(cursor);
  const issues = zodIssues(parsed.error);
  const named = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw errorResponse(400, "bad_request", `The query is invalid — ${named}`, issues);
}

/** GET /api/v1/tasks (DESIGN.md §3): call and task stages waiting for a person, due first. */
export function registerTasksRoutes(api: ApiRouter): void {
  api.on("GET", "/api/v1/tasks", async (c) => {
    const query = readTasksQuery(c.url);
    const page = await listTasks(c.env, c.actor, query, clock.now());
    return Response.json({
      items: page.items.map(taskRow),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });
}
