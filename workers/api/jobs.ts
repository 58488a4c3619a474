import { JobInputSchema, JobListQuerySchema } from "../core/jobs";
import { createJob, listJobs } from "../data/jobs";
import { errorResponse } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import type { ApiRouter } from "./router";

/** /api/v1/jobs routes. */
export function registerJobsRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/jobs", async ({ request, env, actor }) => {
    const input = await readJsonBody(request, JobInputSchema, "The job");
    return Response.json(await createJob(env, actor.teamId, input), { status: 201 });
  });

  api.on("GET", "/api/v1/jobs", async ({ env, actor, url }) => {
    const page = await listJobs(env, actor.teamId, readQuery(url, JobListQuerySchema));
    if ("error" in page) {
      return errorResponse(400, "bad_request", "The cursor is not one this API gave out.");
    }
    return Response.json(page);
  });
}
