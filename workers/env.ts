import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const ConfigFieldsSchema = z.object({
  AUTH_SECRET: z
    .string({ error: "AUTH_SECRET is required (a random string of at least 32 characters)" })
    .min(32, "AUTH_SECRET must be at least 32 characters"),
  PUBLIC_URL: z.url("PUBLIC_URL must be an absolute URL such as http://localhost:8787"),
  INBOUND_DOMAIN: optionalString,
  RESEND_API_KEY: optionalString,
  RESEND_BASE_URL: optionalString.pipe(z.url("RESEND_BASE_URL must be a URL").optional()),
  RESEND_WEBHOOK_SECRET: optionalString,
  /** Requests per second allowed through one Resend key, shared by every campaign (Resend: 5). */
  RESEND_RATE_PER_SECOND: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, "RESEND_RATE_PER_SECOND must be a positive number")
      .transform(Number)
      .refine((n) => n > 0, "RESEND_RATE_PER_SECOND must be a positive number")
      .optional(),
  ),
  /** A tracking event this soon after the send is a machine's (DESIGN.md §1 "Metrics"); default 10. */
  TRACK_MACHINE_SECONDS: optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, "TRACK_MACHINE_SECONDS must be a whole number of seconds")
      .transform(Number)
      .optional(),
  ),
  /** Sign-ups allowed from one address per 15 minutes (default 20; browser tests raise it). */
  SIGN_UP_LIMIT: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d*$/, "SIGN_UP_LIMIT must be a whole number of sign-ups, at least 1")
      .transform(Number)
      .optional(),
  ),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString,
  /** Twilio's API base (tests and benches point it at a local fake); default api.twilio.com. */
  TWILIO_BASE_URL: optionalString.pipe(z.url("TWILIO_BASE_URL must be a URL").optional()),
});

const TWILIO_VARIABLES = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const;

/** Every configuration variable Beacon reads, validated once per isolate. */
export const ConfigSchema = ConfigFieldsSchema.superRefine((c, ctx) => {
  // Half a Twilio setup would silently send every SMS to the sink: name what is missing.
  const missing = TWILIO_VARIABLES.filter((k) => c[k] === undefined);
  if (missing.length === 0 || missing.length === TWILIO_VARIABLES.length) return;
  for (const key of missing) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `${key} is required when any TWILIO_* variable is set (set all three, or none to send SMS through the local sink)`,
    });
  }
});
export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/** Parses the Worker's configuration; throws one clear message naming every bad variable. */
export function config(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(
      `Beacon's configuration is invalid (see .dev.vars.example):\n${lines.join("\n")}`,
    );
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
