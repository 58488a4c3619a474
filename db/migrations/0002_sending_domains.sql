CREATE TABLE `sending_domain` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`name` text NOT NULL,
	`resend_id` text,
	`status` text NOT NULL,
	`records` text DEFAULT '[]' NOT NULL,
	`checked_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sending_domain_resend_id_unique` ON `sending_domain` (`resend_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `sending_domain_name_idx` ON `sending_domain` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `sending_domain_team_name_idx` ON `sending_domain` (`team_id`,`name`);--> statement-breakpoint
ALTER TABLE `mailbox` ADD `confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `mailbox` ADD `confirm_token_hash` text;--> statement-breakpoint
ALTER TABLE `mailbox` ADD `confirm_sent_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `mailbox_confirm_token_hash_unique` ON `mailbox` (`confirm_token_hash`);