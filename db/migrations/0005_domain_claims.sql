DROP INDEX `sending_domain_name_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `sending_domain_verified_name_idx` ON `sending_domain` (`name`) WHERE status = 'verified';--> statement-breakpoint
CREATE INDEX `sending_domain_unverified_idx` ON `sending_domain` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `sending_domain_name_idx` ON `sending_domain` (`name`);