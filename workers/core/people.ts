import { z } from "zod";
import { cursorParam } from "./cursor";
import { isTimeZone } from "./team";

// Browser-safe: the person schemas validate the JSON API, the people forms and CSV rows.

export const EMAIL_TYPES = ["personal", "work"] as const;
export const PHONE_TYPES = ["mobile", "work", "home"] as const;
export const MAX_EMAILS = 10;
export const MAX_PHONES = 10;

export const EmailTypeSchema = z.enum(EMAIL_TYPES, { error: "Choose personal or work" });
export const PhoneTypeSchema = z.enum(PHONE_TYPES, { error: "Choose mobile, work or home" });

export const EmailAddressSchema = z
  .string({ error: "Enter an email address" })
  .trim()
  .max(254, "At most 254 characters")
  .pipe(z.email("Invalid email address"));

export const PhoneNumberSchema = z
  .string({ error: "Enter a phone number" })
  .trim()
  .min(1, "Enter a phone number")
  .max(40, "At most 40 characters")
  .regex(/^\+?[0-9(][0-9 ().\-/]*(?:\s*(?:x|ext\.?)\s*[0-9]+)?$/i, {
    message: "Enter a phone number such as +1 555 010 2030",
    abort: true,
  })
  .refine((n) => n.replace(/\D/g, "").length >= 3, "A phone number has at least 3 digits");

const TIME_ZONE_HINT = "Unknown time zone: use a name such as Europe/London or America/New_York";

export const TimeZoneSchema = z
  .string({ error: "Enter a time zone" })
  .trim()
  .refine(isTimeZone, TIME_ZONE_HINT);

/** A time zone, or "" for none. */
const OptionalTimeZoneSchema = z
  .string({ error: "Enter a time zone" })
  .trim()
  .refine((tz) => tz === "" || isTimeZone(tz), TIME_ZONE_HINT);

export const FirstNameSchema = z
  .string({ error: "Enter a first name" })
  .trim()
  .min(1, "Enter a first name")
  .max(100, "At most 100 characters");

export const LastNameSchema = z.string().trim().max(100, "At most 100 characters");

export const PersonEmailSchema = z.strictObject({
  address: EmailAddressSchema,
  type: EmailTypeSchema,
});
export type PersonEmail = z.infer<typeof PersonEmailSchema>;

export const PersonPhoneSchema = z.strictObject({
  number: PhoneNumberSchema,
  type: PhoneTypeSchema.default("mobile"),
});
export type PersonPhone = z.infer<typeof PersonPhoneSchema>;

const EmailsSchema = z
  .array(PersonEmailSchema)
  .max(MAX_EMAILS, `At most ${MAX_EMAILS} emails`)
  .superRefine((emails, ctx) => {
    const seen = new Map<string, number>();
    emails.forEach((e, i) => {
      const key = normalizeEmail(e.address);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        ctx.addIssue({
          code: "custom",
          path: [i, "address"],
          message: `Same address as email ${first + 1}`,
        });
    });
  });
const PhonesSchema = z.array(PersonPhoneSchema).max(MAX_PHONES, `At most ${MAX_PHONES} phones`);

/** A new person, as the API, the form and a CSV row give it. Unknown keys are refused. */
export const PersonInputSchema = z.strictObject({
  firstName: FirstNameSchema,
  lastName: LastNameSchema.nullish(),
  emails: EmailsSchema.optional(),
  phones: PhonesSchema.optional(),
  timeZone: OptionalTimeZoneSchema.nullish(),
});
export type PersonInput = z.infer<typeof PersonInputSchema>;

/**
 * An edit: every field optional; `emails`/`phones` replace the whole list when given;
 * `lastName`/`timeZone` set to null (or "") clear them.
 */
export const PersonPatchSchema = z.strictObject({
  firstName: FirstNameSchema.optional(),
  lastName: LastNameSchema.nullish(),
  emails: EmailsSchema.optional(),
  phones: PhonesSchema.optional(),
  timeZone: OptionalTimeZoneSchema.nullish(),
});
export type PersonPatch = z.infer<typeof PersonPatchSchema>;

/**
 * The people form: like PersonInput, but the form always posts an email row's type and a
 * phone row's type, so rows with no address/number are blank rows and are dropped.
 */
export const PersonFormSchema = z.object({
  firstName: FirstNameSchema,
  lastName: LastNameSchema.optional(),
  emails: z
    .array(z.object({ address: EmailAddressSchema.optional(), type: EmailTypeSchema }))
    .max(MAX_EMAILS, `At most ${MAX_EMAILS} emails`)
    .optional()
    .transform((rows): PersonEmail[] =>
      (rows ?? []).flatMap((r) => (r.address ? [{ address: r.address, type: r.type }] : [])),
    )
    .pipe(EmailsSchema),
  phones: z
    .array(z.object({ number: PhoneNumberSchema.optional(), type: PhoneTypeSchema }))
    .max(MAX_PHONES, `At most ${MAX_PHONES} phones`)
    .optional()
    .transform((rows): PersonPhone[] =>
      (rows ?? []).flatMap((r) => (r.number ? [{ number: r.number, type: r.type }] : [])),
    ),
  timeZone: TimeZoneSchema.optional(),
});
export type PersonForm = z.infer<typeof PersonFormSchema>;

/** A person as the JSON API and the pages show it. */
export type PersonJson = {
  id: string;
  firstName: string;
  lastName: string | null;
  timeZone: string | null;
  ownerId: string | null;
  emails: PersonEmail[];
  phones: PersonPhone[];
  createdAt: string;
  updatedAt: string;
  /**
   * The person's campaigns (status, reason, stage). Always [] until the campaign engine
   * (issue 3) keeps its per-person prospect mirror in D1 and fills this from it.
   */
  outreach: never[];
};

/** What the people form needs of a person. */
export type PersonJsonLike = Pick<
  PersonJson,
  "firstName" | "lastName" | "timeZone" | "emails" | "phones"
>;

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * The form reply matching compares: lower-case, any +tag removed; for Gmail also the dots
 * of the local part removed and googlemail.com read as gmail.com.
 */
export function normalizeEmail(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at <= 0) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    domain = "gmail.com";
    local = local.replace(/\./g, "");
  }
  return `${local}@${domain}`;
}

/** "last first", lower-cased: the list order and the keyset cursor's first key. */
export function personSortName(firstName: string, lastName?: string | null): string {
  return `${lastName?.trim() ?? ""} ${firstName.trim()}`.trim().toLowerCase();
}

/** Lower-cased names and addresses (as typed and normalized) that search matches. */
export function personSearchText(
  firstName: string,
  lastName: string | null | undefined,
  emails: readonly { address: string }[],
): string {
  const parts = [firstName.trim(), lastName?.trim() ?? ""].filter(Boolean);
  const words = [parts.join(" ")];
  for (const e of emails) {
    const address = e.address.trim().toLowerCase();
    const normalized = normalizeEmail(address);
    words.push(address === normalized ? address : `${address} ${normalized}`);
  }
  return words.join(" ").toLowerCase();
}

/** Escapes LIKE wildcards so a search for "50%_off" matches that text literally (ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

/** A position in the people list (sort_name, id), opaque to clients. */
export type PeopleCursor = { sortName: string; id: string };

/** The people list's cursor key: [sortName, id] of the last row of a page. */
export const PeopleCursorSchema = z
  .tuple([z.string(), z.string().min(1)])
  .transform(([sortName, id]): PeopleCursor => ({ sortName, id }));

/** The list's query string: ?q=&cursor=&limit= */
export const PeopleQuerySchema = z.object({
  q: z.string().trim().max(200, "At most 200 characters").optional(),
  cursor: cursorParam(PeopleCursorSchema),
  limit: z.coerce
    .number({ error: "Enter a number" })
    .int("Enter a whole number")
    .min(1, "At least 1")
    .max(PAGE_MAX, `At most ${PAGE_MAX}`)
    .default(PAGE_DEFAULT),
});
export type PeopleQuery = z.infer<typeof PeopleQuerySchema>;

/** "Jane Doe", or just the first name. */
export function displayName(p: { firstName: string; lastName?: string | null }): string {
  return [p.firstName, p.lastName].filter(Boolean).join(" ");
}
