CREATE TABLE `inbound_mail` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text,
	`message_id` text,
	`envelope_from` text NOT NULL,
	`envelope_to` text NOT NULL,
	`via` text NOT NULL,
	`direction` text NOT NULL,
	`mailbox_id` text,
	`person_id` text,
	`campaign_id` text,
	`email_log_id` text,
	`from_addr` text,
	`subject` text,
	`kind` text NOT NULL,
	`verdict` text NOT NULL,
	`snippet` text,
	`outcome` text NOT NULL,
	`matched` integer NOT NULL,
	`raw_key` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_mail_team_message_idx` ON `inbound_mail` (`team_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `inbound_mail_person_idx` ON `inbound_mail` (`team_id`,`person_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_mail_mailbox_idx` ON `inbound_mail` (`mailbox_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_mail_unmatched_idx` ON `inbound_mail` (`matched`,`received_at`);--> statement-breakpoint
ALTER TABLE `team_settings` ADD `out_of_office_days` integer DEFAULT 7 NOT NULL;