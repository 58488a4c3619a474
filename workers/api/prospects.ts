import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { prospectsToCsv } from "../core/engine/csv";
import { EnrollSchema, ProspectActionSchema, ProspectFilterSchema } from "../core/engine/schemas";
import { ReasonSchema, StatusSchema } from "../core/engine/statuses";
import {
  activeElsewhere,
  campaignStub,
  findCampaign,
  peopleForEnrollment,
  suppressedPeople,
} from "../data/campaigns";
import { db, schema } from "../db/client";
import { errorResponse } from "../http/errors";
import { readJsonBody, readQuery } from "../http/json-body";
import { actorRef, failureResponse } from "./actor";
import { requireCampaign } from "./campaigns";
import type { ApiRouter } from "./router";

const ListQuerySchema = ProspectFilterSchema.extend({
  sort: z
    .enum(["created", "status", "name", "next"], { error: "sort is created, status, name or next" })
    .default("created"),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** /api/v1/campaigns/:id/prospects routes (DESIGN.md §3). */
export function registerProspectRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/campaigns/:id/prospects", async (c) => {
    const { row, stub } = await requireCampaign(c);
    const { personIds } = await readJsonBody(c.request, EnrollSchema, "The enrollment");
    const d = db(c.env);
    const people = await peopleForEnrollment(d, c.actor.teamId, personIds);
    const suppressed = await suppressedPeople(d, c.actor.teamId, [...people.keys()]);
    const refused: { personId: string; reason: string }[] = [];
    const eligible = [];
    for (const id of personIds) {
      const person = people.get(id);
      if (!person) refused.push({ personId: id, reason: "not_found" });
      else if (suppressed.has(id)) refused.push({ personId: id, reason: "unsubscribed" });
      else eligible.push(person);
    }
    const conflicts = await activeElsewhere(
      d,
      c.actor.teamId,
      row.id,
      eligible.map((p) => p.personId),
    );
    const result = await stub.enroll(eligible, actorRef(c.actor));
    const enrolled = new Set(result.enrolled);
    return Response.json({
      enrolled: result.enrolled.length,
      enrolledIds: result.enrolled,
      refused: [...refused, ...result.refused],
      conflicts: conflicts.filter((x) => enrolled.has(x.personId)),
    });
  });

  api.on("GET", "/api/v1/campaigns/:id/prospects", async (c) => {
    const { stub } = await requireCampaign(c);
    const q = readQuery(c.url, ListQuerySchema);
    const result = await stub.prospects({
      filter: { status: q.status, stage: q.stage },
      sort: q.sort,
      cursor: q.cursor,
      limit: q.limit,
    });
    return result.ok ? Response.json(result.value) : failureResponse(result);
  });

  api.on("POST", "/api/v1/campaigns/:id/prospects/actions", async (c) => {
    const { stub } = await requireCampaign(c);
    const action = await readJsonBody(c.request, ProspectActionSchema, "The action");
    if (action.toCampaignId) {
      const target = await findCampaign(db(c.env), c.actor.teamId, action.toCampaignId);
      if (!target) {
        return errorResponse(
          404,
          "not_found",
          "toCampaignId: no campaign with this id in your team.",
        );
      }
    }
    const result = await stub.act(action, actorRef(c.actor));
    if (!result.ok) return failureResponse(result);
    const { applied, refused } = result.value;
    // A single action on a status that does not allow it is a 409 with the reason.
    if (action.personIds && action.personIds.length === 1 && refused.length === 1) {
      const reason = refused[0].reason;
      return reason === "not_found"
        ? errorResponse(404, "not_found", "This person is not in the campaign.")
        : errorResponse(409, "conflict", reason);
    }
    return Response.json({ applied: applied.length, appliedIds: applied, refused });
  });

  api.on("GET", "/api/v1/campaigns/:id/prospects.csv", async (c) => {
    const { row, stub } = await requireCampaign(c);
    const q = readQuery(c.url, ProspectFilterSchema);
    const rows = await stub.exportRows(q);
    const emails = await firstEmails(
      c.env,
      c.actor.teamId,
      rows.map((r) => r.personId),
    );
    const csv = prospectsToCsv(
      rows.map((r) => ({
        personId: r.personId,
        name: r.name,
        email: emails.get(r.personId) ?? null,
        status: StatusSchema.parse(r.status),
        reason: r.reason ? ReasonSchema.parse(r.reason) : null,
        reasonDetail: r.reasonDetail,
        stageIndex: r.stageIndex,
        stageCount: row.stageCount,
        nextAt: r.nextAt ? Date.parse(r.nextAt) : null,
        updatedAt: r.updatedAt ? Date.parse(r.updatedAt) : 0,
      })),
      { bom: true },
    );
    const name = row.name.replace(/[^A-Za-z0-9 _-]+/g, "").trim() || "campaign";
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name} prospects.csv"`,
      },
    });
  });
}

async function firstEmails(env: Env, teamId: string, ids: string[]) {
  const out = new Map<string, string>();
  const d = db(env);
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await d
      .select({ personId: schema.personEmail.personId, address: schema.personEmail.address })
      .from(schema.personEmail)
      .where(
        and(
          eq(schema.personEmail.teamId, teamId),
          inArray(schema.personEmail.personId, ids.slice(i, i + 90)),
        ),
      )
      .orderBy(schema.personEmail.position);
    for (const r of rows) if (!out.has(r.personId)) out.set(r.personId, r.address);
  }
  return out;
}
