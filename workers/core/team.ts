import { z } from "zod";

export const TeamNameSchema = z
  .string()
  .trim()
  .min(1, "Name the team")
  .max(80, "At most 80 characters");

export const TeamSettingsSchema = z.object({
  timeZone: z
    .string()
    .trim()
    .refine(isTimeZone, "Pick a time zone such as Europe/London or America/New_York"),
  dailyEmailLimit: z.coerce
    .number({ error: "Enter a number" })
    .int("Enter a whole number")
    .min(0, "The limit cannot be negative")
    .max(1_000_000, "At most 1,000,000 a day"),
  onLimit: z.enum(["defer", "fail"], { error: "Choose defer or fail" }),
});
export type TeamSettings = z.infer<typeof TeamSettingsSchema>;

/** True for an IANA time zone name the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}
