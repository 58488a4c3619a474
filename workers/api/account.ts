import { roleAtLeast } from "../auth/guards";
import { TeamLimitsSchema } from "../core/engine/schemas";
import { accountStub } from "../data/campaigns";
import {
  RecentlyEmailedDaysSchema,
  recentlyEmailedDays,
  saveRecentlyEmailedDays,
} from "../data/enroll-conflicts";
import { getTeamSettings, saveTeamSettings } from "../data/teams";
import { db } from "../db/client";
import { errorResponse } from "../http/errors";
import { readJsonBody } from "../http/json-body";
import type { ApiRouter } from "./router";

/** /api/v1/account routes: the team's daily limit, its policy and time zone; today's usage. */
export function registerAccountRoutes(api: ApiRouter): void {
  api.on("GET", "/api/v1/account/limits", async (c) => {
    const [limits, days] = await Promise.all([
      getTeamSettings(c.env, c.actor.teamId),
      recentlyEmailedDays(db(c.env), c.actor.teamId),
    ]);
    return Response.json({ ...limits, recentlyEmailedDays: days });
  });

  api.on("PUT", "/api/v1/account/limits", async (c) => {
    if (!roleAtLeast(c.actor.role, "admin")) {
      return errorResponse(403, "forbidden", "Only a team owner or admin can change the limits.");
    }
    const { recentlyEmailedDays: days, ...limits } = await readJsonBody(
      c.request,
      TeamLimitsSchema.extend({ recentlyEmailedDays: RecentlyEmailedDaysSchema.optional() }),
      "The limits",
    );
    await saveTeamSettings(c.env, c.actor.teamId, limits);
    if (days !== undefined) await saveRecentlyEmailedDays(db(c.env), c.actor.teamId, days);
    return Response.json({
      ...limits,
      recentlyEmailedDays: days ?? (await recentlyEmailedDays(db(c.env), c.actor.teamId)),
    });
  });

  api.on("GET", "/api/v1/account/usage", async (c) => {
    const u = await (await accountStub(c.env, c.actor.teamId)).usage();
    return Response.json({
      sentToday: u.sentToday,
      remaining: u.remaining,
      resetsAt: new Date(u.resetsAt).toISOString(),
      dailyEmailLimit: u.limits.dailyEmailLimit,
      onLimit: u.limits.onLimit,
      timeZone: u.limits.timeZone,
    });
  });
}
