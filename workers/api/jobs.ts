import { JobInputSchema, JobListQuerySchema } from "../core/jobs";
import { createJob, listJobs } from "../data/jobs";
import { readJsonBody, readQuery } from "../http/json-body";
import type { ApiRouter } from "./router";

/** /api/v1/jobs routes. */
export function registerJobsRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/jobs", async ({ request, env, actor }) => {
    const input = await readJsonBody(request, JobInputSchema, "The job");
    return Response.json(await createJob(env, actor.teamId, input), { status: 201 });
  });

  api.on("GET", "/api/v1/jobs", async ({ env, actor, url }) => {
    return Response.json(await listJobs(env, actor.teamId, readQuery(url, JobListQuerySchema)));
  });
}
