// The deliverability findings of a campaign's email stages, with what D1 knows of each
// stage's mailbox and its sending domain: shown before activation, never blocking it.

import { eq } from "drizzle-orm";
import {
  checkEmailStage,
  type MailboxFacts,
  type StageFindings,
} from "../core/deliverability/check";
import type { Stage } from "../core/engine/schemas";
import { domainOf } from "../core/mailboxes";
import { db, schema } from "../db/client";
import { recordsOf } from "./domain-store";
import { resendAccount } from "./resend-account";

/** Each team mailbox's facts for the check, by mailbox id. */
export async function mailboxFacts(env: Env, teamId: string): Promise<Map<string, MailboxFacts>> {
  const d = db(env);
  // One round trip for both (activation answers with the findings: it runs on every one).
  const [boxes, domains] = await d.batch([
    d
      .select({
        id: schema.mailbox.id,
        address: schema.mailbox.address,
        canSend: schema.mailbox.canSend,
      })
      .from(schema.mailbox)
      .where(eq(schema.mailbox.teamId, teamId)),
    d.select().from(schema.sendingDomain).where(eq(schema.sendingDomain.teamId, teamId)),
  ]);
  // Without a provider key mail goes to the local sink: no DNS decides anything.
  const sink = resendAccount(env) === null;
  const byName = new Map(domains.map((row) => [row.name, row]));
  return new Map(
    boxes.map((b) => {
      const row = byName.get(domainOf(b.address));
      const domain: MailboxFacts["domain"] = sink
        ? "sink"
        : row
          ? { name: row.name, status: row.status, records: recordsOf(row) }
          : null;
      return [b.id, { address: b.address, canSend: b.canSend, domain }];
    }),
  );
}

/** The findings of every email stage that has any, in stage order. */
export async function campaignFindings(
  env: Env,
  teamId: string,
  campaign: { stages: Stage[]; unsubscribeLink: boolean },
): Promise<StageFindings[]> {
  const emails = campaign.stages.flatMap((s, i) => (s.type === "email" ? [{ s, i }] : []));
  if (emails.length === 0) return [];
  const facts = await mailboxFacts(env, teamId);
  return emails
    .map(({ s, i }) => ({
      stageIndex: i,
      stageId: s.id,
      label: s.subject,
      findings: checkEmailStage(
        { subject: s.subject, body: s.body },
        {
          unsubscribeLink: campaign.unsubscribeLink,
          mailbox: s.mailboxId ? (facts.get(s.mailboxId) ?? null) : null,
        },
      ),
    }))
    .filter((f) => f.findings.length > 0);
}

/** The findings as the API's activate answer lists them: one row per finding. */
export function flatFindings(stages: StageFindings[]) {
  return stages.flatMap((s) =>
    s.findings.map((f) => ({ stageId: s.stageId, stageIndex: s.stageIndex, ...f })),
  );
}
