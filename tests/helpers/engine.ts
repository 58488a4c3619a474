import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { PersonInput } from "@workers/core/people";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { expect } from "vitest";
import { z } from "zod";
import { makeTeam } from "./teams";

/** A team with an API key, a mailbox that can send (the sink) and helpers to call the API. */
export async function engineTeam(label: string) {
  const user = await makeTeam(label);
  const created = await createMailbox(env, user, {
    address: `${label}@beacon.test`,
    name: `${label} Sender`,
  });
  if (!created.ok) throw new Error(created.message);
  const mailboxId = created.mailbox.id;

  async function call(method: string, path: string, body?: unknown) {
    const res = await exports.default.fetch(`http://localhost${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${user.key}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, text };
  }

  async function people(list: PersonInput[]): Promise<string[]> {
    return insertPeople(db(env), user.teamId, user.userId, list);
  }

  return { ...user, mailboxId, call, people };
}

export function campaignNamespaceStub(campaignId: string) {
  return env.Campaign.get(env.Campaign.idFromName(campaignId));
}

/** Runs the campaign's alarm until `done` holds (bounded); alarms may also fire by themselves. */
export async function alarmUntil(campaignId: string, done: () => Promise<boolean>, rounds = 30) {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    await runDurableObjectAlarm(campaignNamespaceStub(campaignId));
  }
  expect(await done()).toBe(true);
}

export const ProspectRow = z.object({
  personId: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  reasonLabel: z.string().optional(),
  stageIndex: z.number(),
  stageId: z.string().nullable(),
  nextAt: z.string().optional(),
  updatedAt: z.string().nullable(),
});
export const ProspectPage = z.object({
  items: z.array(ProspectRow),
  nextCursor: z.string().optional(),
});

export const EmailLogRow = z.object({
  id: z.string(),
  campaignId: z.string(),
  personId: z.string(),
  stageIndex: z.number(),
  stageId: z.string(),
  mailboxId: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  status: z.string(),
  scheduledAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  messageId: z.string().nullable(),
  providerId: z.string().nullable(),
  reason: z.string().optional(),
});
export const EmailLogPage = z.object({
  items: z.array(EmailLogRow),
  nextCursor: z.string().optional(),
});
export const CampaignBody = z.object({
  id: z.string(),
  status: z.string(),
  version: z.number(),
  stages: z.array(z.object({ id: z.string(), type: z.string() })),
});
