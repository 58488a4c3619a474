-- Engagement (ADR 0027): raw tracking events, per-person first events, and counters kept
-- by triggers so that metrics never scan events. Stage '' in engagement_count = any stage.
CREATE TABLE `tracking_event` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`message_id` text NOT NULL,
	`person_id` text NOT NULL,
	`stage_id` text NOT NULL,
	`mailbox_id` text,
	`kind` text NOT NULL,
	`link` text,
	`at` integer NOT NULL,
	`since_send_ms` integer,
	`method` text NOT NULL,
	`user_agent` text,
	`asn` integer,
	`as_org` text,
	`machine` integer DEFAULT 0 NOT NULL,
	`machine_reason` text,
	`proxy` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tracking_event_message_idx` ON `tracking_event` (`message_id`,`at`);
--> statement-breakpoint
CREATE INDEX `tracking_event_at_idx` ON `tracking_event` (`at`);
--> statement-breakpoint
CREATE TABLE `engagement_person` (
	`campaign_id` text NOT NULL,
	`stage_id` text NOT NULL,
	`person_id` text NOT NULL,
	`metric` text NOT NULL,
	`team_id` text NOT NULL,
	`mailbox_id` text,
	`first_at` integer NOT NULL,
	`human_at` integer,
	PRIMARY KEY(`campaign_id`, `stage_id`, `person_id`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `engagement_person_team_idx` ON `engagement_person` (`team_id`,`metric`,`first_at`);
--> statement-breakpoint
CREATE TABLE `engagement_total` (
	`campaign_id` text NOT NULL,
	`person_id` text NOT NULL,
	`metric` text NOT NULL,
	`first_at` integer NOT NULL,
	`human_at` integer,
	PRIMARY KEY(`campaign_id`, `person_id`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `engagement_count` (
	`campaign_id` text NOT NULL,
	`stage_id` text NOT NULL,
	`metric` text NOT NULL,
	`people` integer DEFAULT 0 NOT NULL,
	`human` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `stage_id`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `engagement_daily` (
	`team_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`mailbox_id` text DEFAULT '' NOT NULL,
	`day` text NOT NULL,
	`metric` text NOT NULL,
	`people` integer DEFAULT 0 NOT NULL,
	`human` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `mailbox_id`, `day`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `engagement_daily_team_idx` ON `engagement_daily` (`team_id`,`day`);
--> statement-breakpoint
CREATE TABLE `webhook_event` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`type` text NOT NULL,
	`signed_at` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_log_provider_idx` ON `email_log` (`provider_id`);
--> statement-breakpoint
CREATE INDEX `webhook_event_received_idx` ON `webhook_event` (`received_at`);
--> statement-breakpoint
CREATE TABLE `attachment` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL REFERENCES `organization`(`id`) ON DELETE cascade,
	`name` text NOT NULL,
	`size` integer NOT NULL,
	`key` text NOT NULL,
	`content_type` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attachment_team_idx` ON `attachment` (`team_id`,`created_at`);
--> statement-breakpoint
-- Triggers use upsert clauses, never INSERT OR IGNORE: an outer statement's conflict
-- algorithm (the mirror's upserts: ABORT) would override a trigger's OR clause.
-- A person's first event at a stage: the stage's counters, the any-stage row, the day's counters.
CREATE TRIGGER `engagement_person_ai` AFTER INSERT ON `engagement_person` BEGIN
	INSERT INTO engagement_count (campaign_id, stage_id, metric, people, human)
		VALUES (NEW.campaign_id, NEW.stage_id, NEW.metric, 1, NEW.human_at IS NOT NULL)
		ON CONFLICT DO UPDATE SET people = people + 1, human = human + (NEW.human_at IS NOT NULL);
	INSERT INTO engagement_total (campaign_id, person_id, metric, first_at, human_at)
		VALUES (NEW.campaign_id, NEW.person_id, NEW.metric, NEW.first_at, NEW.human_at)
		ON CONFLICT DO UPDATE SET first_at = min(first_at, excluded.first_at),
			human_at = coalesce(min(human_at, excluded.human_at), human_at, excluded.human_at);
	INSERT INTO engagement_daily (team_id, campaign_id, mailbox_id, day, metric, people, human)
		VALUES (NEW.team_id, NEW.campaign_id, coalesce(NEW.mailbox_id, ''),
			strftime('%Y-%m-%d', NEW.first_at / 1000, 'unixepoch'), NEW.metric, 1, 0)
		ON CONFLICT DO UPDATE SET people = people + 1;
	INSERT INTO engagement_daily (team_id, campaign_id, mailbox_id, day, metric, people, human)
		SELECT NEW.team_id, NEW.campaign_id, coalesce(NEW.mailbox_id, ''),
			strftime('%Y-%m-%d', NEW.human_at / 1000, 'unixepoch'), NEW.metric, 0, 1
		WHERE NEW.human_at IS NOT NULL
		ON CONFLICT DO UPDATE SET human = human + 1;
END;
--> statement-breakpoint
-- A person's first human event changed (a later human event, or machine events flagged late).
CREATE TRIGGER `engagement_person_au` AFTER UPDATE OF `human_at` ON `engagement_person`
WHEN OLD.human_at IS NOT NEW.human_at BEGIN
	UPDATE engagement_count SET human = human + (NEW.human_at IS NOT NULL) - (OLD.human_at IS NOT NULL)
		WHERE campaign_id = NEW.campaign_id AND stage_id = NEW.stage_id AND metric = NEW.metric;
	UPDATE engagement_daily SET human = human - 1
		WHERE OLD.human_at IS NOT NULL AND campaign_id = NEW.campaign_id
			AND mailbox_id = coalesce(NEW.mailbox_id, '') AND metric = NEW.metric
			AND day = strftime('%Y-%m-%d', OLD.human_at / 1000, 'unixepoch');
	INSERT INTO engagement_daily (team_id, campaign_id, mailbox_id, day, metric, people, human)
		SELECT NEW.team_id, NEW.campaign_id, coalesce(NEW.mailbox_id, ''),
			strftime('%Y-%m-%d', NEW.human_at / 1000, 'unixepoch'), NEW.metric, 0, 1
		WHERE NEW.human_at IS NOT NULL
		ON CONFLICT DO UPDATE SET human = human + 1;
	UPDATE engagement_total SET human_at = (
			SELECT min(human_at) FROM engagement_person
			WHERE campaign_id = NEW.campaign_id AND person_id = NEW.person_id AND metric = NEW.metric)
		WHERE campaign_id = NEW.campaign_id AND person_id = NEW.person_id AND metric = NEW.metric;
END;
--> statement-breakpoint
CREATE TRIGGER `engagement_total_ai` AFTER INSERT ON `engagement_total` BEGIN
	INSERT INTO engagement_count (campaign_id, stage_id, metric, people, human)
		VALUES (NEW.campaign_id, '', NEW.metric, 1, NEW.human_at IS NOT NULL)
		ON CONFLICT DO UPDATE SET people = people + 1, human = human + (NEW.human_at IS NOT NULL);
END;
--> statement-breakpoint
CREATE TRIGGER `engagement_total_au` AFTER UPDATE OF `human_at` ON `engagement_total`
WHEN (OLD.human_at IS NULL) <> (NEW.human_at IS NULL) BEGIN
	UPDATE engagement_count SET human = human + (NEW.human_at IS NOT NULL) - (OLD.human_at IS NOT NULL)
		WHERE campaign_id = NEW.campaign_id AND stage_id = '' AND metric = NEW.metric;
END;
--> statement-breakpoint
-- Email Log status transitions (whoever writes them: the mirror, a report): reached,
-- delivered, bounced, spam. A person counts once per metric per stage.
CREATE TRIGGER `email_log_engagement_ai` AFTER INSERT ON `email_log`
WHEN NEW.sent_at IS NOT NULL AND NEW.status IN ('sent', 'delivered', 'bounced', 'spam', 'not_delivered') BEGIN
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		VALUES (NEW.campaign_id, NEW.stage_id, NEW.person_id, 'reached', NEW.team_id, NEW.mailbox_id, NEW.sent_at, NEW.sent_at)
		ON CONFLICT DO NOTHING;
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		SELECT NEW.campaign_id, NEW.stage_id, NEW.person_id, m.metric, NEW.team_id, NEW.mailbox_id, m.at, m.at
		FROM (SELECT CASE NEW.status WHEN 'delivered' THEN 'delivered' WHEN 'bounced' THEN 'bounced' WHEN 'spam' THEN 'spam' END AS metric,
			NEW.sent_at AS at) AS m
		WHERE m.metric IS NOT NULL
		ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `email_log_engagement_au` AFTER UPDATE OF `status`, `sent_at` ON `email_log`
WHEN NEW.sent_at IS NOT NULL AND NEW.status IN ('sent', 'delivered', 'bounced', 'spam', 'not_delivered') BEGIN
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		VALUES (NEW.campaign_id, NEW.stage_id, NEW.person_id, 'reached', NEW.team_id, NEW.mailbox_id, NEW.sent_at, NEW.sent_at)
		ON CONFLICT DO NOTHING;
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		SELECT NEW.campaign_id, NEW.stage_id, NEW.person_id, m.metric, NEW.team_id, NEW.mailbox_id, m.at, m.at
		FROM (SELECT CASE NEW.status WHEN 'delivered' THEN 'delivered' WHEN 'bounced' THEN 'bounced' WHEN 'spam' THEN 'spam' END AS metric,
			NEW.sent_at AS at) AS m
		WHERE m.metric IS NOT NULL
		ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
-- An unsubscribe (link, mail app, SMS STOP): counted at the stage of the last message the
-- person was sent in that campaign.
CREATE TRIGGER `campaign_member_unsubscribed_au` AFTER UPDATE OF `status` ON `campaign_member`
WHEN NEW.status = 'unsubscribed' AND OLD.status <> 'unsubscribed' BEGIN
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		SELECT l.campaign_id, l.stage_id, l.person_id, 'unsubscribed', l.team_id, l.mailbox_id, NEW.updated_at, NEW.updated_at
		FROM email_log l WHERE l.campaign_id = NEW.campaign_id AND l.person_id = NEW.person_id AND l.sent_at IS NOT NULL
		ORDER BY l.sent_at DESC LIMIT 1
		ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `campaign_member_unsubscribed_ai` AFTER INSERT ON `campaign_member`
WHEN NEW.status = 'unsubscribed' BEGIN
	INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
		SELECT l.campaign_id, l.stage_id, l.person_id, 'unsubscribed', l.team_id, l.mailbox_id, NEW.updated_at, NEW.updated_at
		FROM email_log l WHERE l.campaign_id = NEW.campaign_id AND l.person_id = NEW.person_id AND l.sent_at IS NOT NULL
		ORDER BY l.sent_at DESC LIMIT 1
		ON CONFLICT DO NOTHING;
END;
