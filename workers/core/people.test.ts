import { describe, expect, it } from "vitest";
import { encodeCursor } from "./cursor";
import {
  escapeLike,
  normalizeEmail,
  PeopleQuerySchema,
  PersonFormSchema,
  PersonInputSchema,
  PersonPatchSchema,
  personSearchText,
  personSortName,
} from "./people";

const issuePaths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.map(String).join("."));

describe("normalizeEmail", () => {
  it("lower-cases the whole address", () => {
    expect(normalizeEmail("Jane.Doe@Example.COM")).toBe("jane.doe@example.com");
  });
  it("strips a +tag on any domain", () => {
    expect(normalizeEmail("jane+jobs@example.com")).toBe("jane@example.com");
  });
  it("keeps dots in the local part outside Gmail", () => {
    expect(normalizeEmail("j.doe@example.com")).toBe("j.doe@example.com");
  });
  it("removes dots in a Gmail local part", () => {
    expect(normalizeEmail("J.A.Doe+news@gmail.com")).toBe("jadoe@gmail.com");
  });
  it("reads googlemail.com as gmail.com", () => {
    expect(normalizeEmail("jane.doe@googlemail.com")).toBe("janedoe@gmail.com");
  });
  it("trims surrounding spaces", () => {
    expect(normalizeEmail("  jane@example.com ")).toBe("jane@example.com");
  });
});

describe("PersonInputSchema", () => {
  it("requires a non-empty first name", () => {
    const r = PersonInputSchema.safeParse({ firstName: "   " });
    expect(issuePaths(r)).toEqual(["firstName"]);
  });
  it("trims the first name", () => {
    expect(PersonInputSchema.parse({ firstName: "  Ada " }).firstName).toBe("Ada");
  });
  it("refuses a first name over 100 characters", () => {
    expect(issuePaths(PersonInputSchema.safeParse({ firstName: "a".repeat(101) }))).toEqual([
      "firstName",
    ]);
  });
  it("names the bad email's path", () => {
    const r = PersonInputSchema.safeParse({
      firstName: "Ada",
      emails: [
        { address: "ada@example.com", type: "work" },
        { address: "nope", type: "personal" },
      ],
    });
    expect(issuePaths(r)).toEqual(["emails.1.address"]);
  });
  it("refuses an email type other than personal or work", () => {
    const r = PersonInputSchema.safeParse({
      firstName: "Ada",
      emails: [{ address: "ada@example.com", type: "home" }],
    });
    expect(issuePaths(r)).toEqual(["emails.0.type"]);
  });
  it("refuses more than 10 emails", () => {
    const emails = Array.from({ length: 11 }, (_, i) => ({
      address: `a${i}@example.com`,
      type: "work",
    }));
    expect(issuePaths(PersonInputSchema.safeParse({ firstName: "Ada", emails }))).toEqual([
      "emails",
    ]);
  });
  it("refuses the same address twice, compared normalized", () => {
    const r = PersonInputSchema.safeParse({
      firstName: "Ada",
      emails: [
        { address: "ada.l@gmail.com", type: "personal" },
        { address: "adal+x@gmail.com", type: "work" },
      ],
    });
    expect(issuePaths(r)).toEqual(["emails.1.address"]);
  });
  it("defaults a phone's type to mobile", () => {
    const p = PersonInputSchema.parse({
      firstName: "Ada",
      phones: [{ number: "+44 20 7946 0000" }],
    });
    expect(p.phones).toEqual([{ number: "+44 20 7946 0000", type: "mobile" }]);
  });
  it("refuses a phone number with letters", () => {
    const r = PersonInputSchema.safeParse({ firstName: "Ada", phones: [{ number: "call me" }] });
    expect(issuePaths(r)).toEqual(["phones.0.number"]);
  });
  it("accepts an IANA time zone", () => {
    expect(PersonInputSchema.parse({ firstName: "Ada", timeZone: "Europe/Paris" }).timeZone).toBe(
      "Europe/Paris",
    );
  });
  it("refuses an unknown time zone", () => {
    const r = PersonInputSchema.safeParse({ firstName: "Ada", timeZone: "Mars/Olympus" });
    expect(issuePaths(r)).toEqual(["timeZone"]);
  });
  it("refuses unknown keys so typos are not silently dropped", () => {
    const r = PersonInputSchema.safeParse({ firstName: "Ada", email: "ada@example.com" });
    expect(r.success).toBe(false);
  });
});

describe("PersonPatchSchema", () => {
  it("accepts an empty patch", () => {
    expect(PersonPatchSchema.parse({})).toEqual({});
  });
  it("accepts null to clear the last name", () => {
    expect(PersonPatchSchema.parse({ lastName: null })).toEqual({ lastName: null });
  });
  it("still refuses an empty first name", () => {
    expect(issuePaths(PersonPatchSchema.safeParse({ firstName: "" }))).toEqual(["firstName"]);
  });
});

describe("PersonFormSchema", () => {
  it("drops email rows left blank", () => {
    const v = PersonFormSchema.parse({
      firstName: "Ada",
      emails: [{ address: "ada@example.com", type: "work" }, { type: "personal" }],
    });
    expect(v.emails).toEqual([{ address: "ada@example.com", type: "work" }]);
  });
  it("drops phone rows left blank", () => {
    const v = PersonFormSchema.parse({ firstName: "Ada", phones: [{ type: "mobile" }] });
    expect(v.phones).toEqual([]);
  });
});

describe("sort and search text", () => {
  it("sorts by last name then first name, lower-cased", () => {
    expect(personSortName("Ada", "Lovelace")).toBe("lovelace ada");
  });
  it("sorts a person without a last name by first name", () => {
    expect(personSortName("Cher", null)).toBe("cher");
  });
  it("searches the typed and the normalized address", () => {
    const text = personSearchText("Ada", "Lovelace", [{ address: "A.Love+x@gmail.com" }]);
    expect(text).toContain("ada lovelace");
    expect(text).toContain("a.love+x@gmail.com");
    expect(text).toContain("alove@gmail.com");
  });
  it("escapes LIKE wildcards and the escape character", () => {
    expect(escapeLike("50%_a\\b")).toBe("50\\%\\_a\\\\b");
  });
});

describe("people cursor", () => {
  it("reads the [sortName, id] key of a page, including non-ASCII names", () => {
    const cursor = encodeCursor(["müller zoë", "abc"]);
    expect(PeopleQuerySchema.parse({ cursor }).cursor).toEqual({
      sortName: "müller zoë",
      id: "abc",
    });
  });
  it("refuses a key of another list's shape", () => {
    const cursor = encodeCursor([1712000000000, "abc"]);
    expect(issuePaths(PeopleQuerySchema.safeParse({ cursor }))).toEqual(["cursor"]);
  });
  it("names the cursor field when the query's cursor is bad", () => {
    expect(issuePaths(PeopleQuerySchema.safeParse({ cursor: "xyz" }))).toEqual(["cursor"]);
  });
  it("defaults the page size to 50 and caps it at 200", () => {
    expect(PeopleQuerySchema.parse({}).limit).toBe(50);
    expect(issuePaths(PeopleQuerySchema.safeParse({ limit: "201" }))).toEqual(["limit"]);
  });
});
