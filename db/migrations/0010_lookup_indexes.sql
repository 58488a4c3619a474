CREATE INDEX `email_log_message_idx` ON `email_log` (`team_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `suppression_person_idx` ON `suppression` (`team_id`,`person_id`);