CREATE TABLE `sms_inbound` (
	`message_sid` text PRIMARY KEY NOT NULL,
	`from_number` text NOT NULL,
	`kind` text NOT NULL,
	`outcome` text,
	`received_at` integer NOT NULL,
	`applied_at` integer
);
--> statement-breakpoint
ALTER TABLE `email_log` ADD `to_digits` text GENERATED ALWAYS AS (replace(replace(replace(replace(replace(replace("to", ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')) VIRTUAL;--> statement-breakpoint
CREATE INDEX `email_log_sms_to_idx` ON `email_log` (`to_digits`) WHERE "channel" = 'sms';--> statement-breakpoint
ALTER TABLE `person_phone` ADD `digits` text GENERATED ALWAYS AS (replace(replace(replace(replace(replace(replace("number", ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')) VIRTUAL;--> statement-breakpoint
CREATE INDEX `person_phone_digits_idx` ON `person_phone` (`digits`);