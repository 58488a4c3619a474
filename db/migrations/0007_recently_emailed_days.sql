ALTER TABLE `team_settings` ADD `recently_emailed_days` integer DEFAULT 14 NOT NULL;
