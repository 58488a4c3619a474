import type { TrackedKind } from "../core/tracking/machine";

/**
 * Writers of the per-person engagement rows (`engagement_person`): the migration's
 * triggers keep every counter from them. Each write is idempotent: a person's first
 * event of a metric at a stage is kept, a later one changes nothing — except a first
 * human event after machine ones, which makes the row count as human.
 */

/** Where an event happened: our message's campaign, stage, person and mailbox. */
export type EventPlace = {
  teamId: string;
  campaignId: string;
  stageId: string;
  personId: string;
  mailboxId: string | null;
};

/** The engagement metrics a tracked request counts toward (a click is also an open). */
export function metricsOf(kind: TrackedKind): string[] {
  switch (kind) {
    case "open":
      return ["opened"];
    case "click":
      return ["clicked", "opened"];
    case "download":
      return ["downloaded"];
    case "honeypot":
      return [];
  }
}

/** One metric for one person at one stage: `human` false counts only in "all". */
export function engagementStatement(
  d1: D1Database,
  at: EventPlace,
  metric: string,
  when: number,
  human: boolean,
): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET human_at = excluded.human_at
       WHERE engagement_person.human_at IS NULL AND excluded.human_at IS NOT NULL`,
    )
    .bind(
      at.campaignId,
      at.stageId,
      at.personId,
      metric,
      at.teamId,
      at.mailboxId,
      when,
      human ? when : null,
    );
}

/**
 * A person's reply at a stage (a human reply by mail or SMS; auto-replies never get here).
 * A reply is never an open.
 */
export async function recordReply(d1: D1Database, at: EventPlace, when: number): Promise<void> {
  await engagementStatement(d1, at, "replied", when, true).run();
}

/**
 * After events of a message were flagged machine late (a honeypot hit, a burst): each
 * affected person's first human open/click at that stage is read again from the events.
 */
export function recountStatements(
  d1: D1Database,
  at: Pick<EventPlace, "campaignId" | "stageId" | "personId">,
): D1PreparedStatement[] {
  const first = (kinds: string) =>
    `(SELECT min(at) FROM tracking_event WHERE campaign_id = ?1 AND stage_id = ?2 AND person_id = ?3
       AND machine = 0 AND kind IN (${kinds}))`;
  return [
    d1
      .prepare(
        `UPDATE engagement_person SET human_at = ${first("'click'")}
         WHERE campaign_id = ?1 AND stage_id = ?2 AND person_id = ?3 AND metric = 'clicked'`,
      )
      .bind(at.campaignId, at.stageId, at.personId),
    d1
      .prepare(
        `UPDATE engagement_person SET human_at = ${first("'open', 'click'")}
         WHERE campaign_id = ?1 AND stage_id = ?2 AND person_id = ?3 AND metric = 'opened'`,
      )
      .bind(at.campaignId, at.stageId, at.personId),
  ];
}
