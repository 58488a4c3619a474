CREATE TABLE `campaign_member` (
	`campaign_id` text NOT NULL,
	`person_id` text NOT NULL,
	`team_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`stage_index` integer NOT NULL,
	`stage_id` text NOT NULL,
	`next_at` integer,
	`rev` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `person_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaign`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `campaign_member_person_idx` ON `campaign_member` (`team_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `email_log` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`person_id` text NOT NULL,
	`stage_index` integer NOT NULL,
	`stage_id` text NOT NULL,
	`channel` text NOT NULL,
	`mailbox_id` text,
	`to` text,
	`subject` text,
	`status` text NOT NULL,
	`reason` text,
	`scheduled_at` integer,
	`sent_at` integer,
	`message_id` text,
	`provider_id` text,
	`opened_at` integer,
	`clicked_at` integer,
	`downloaded_at` integer,
	`replied_at` integer,
	`rev` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `email_log_team_idx` ON `email_log` (`team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `email_log_campaign_idx` ON `email_log` (`campaign_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `email_log_person_idx` ON `email_log` (`team_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `sink_message` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`channel` text NOT NULL,
	`to` text NOT NULL,
	`from` text,
	`subject` text,
	`text` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sink_message_team_idx` ON `sink_message` (`team_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `suppression` (
	`team_id` text NOT NULL,
	`normalized` text NOT NULL,
	`person_id` text,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `normalized`),
	FOREIGN KEY (`team_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `campaign` ADD `status_counts` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign` ADD `rev` integer DEFAULT 0 NOT NULL;