CREATE INDEX `campaign_member_due_idx` ON `campaign_member` (`team_id`,`status`,`next_at`);--> statement-breakpoint
CREATE INDEX `email_log_team_sent_idx` ON `email_log` (`team_id`,`sent_at`);
