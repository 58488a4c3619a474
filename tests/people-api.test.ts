import { env, exports } from "cloudflare:workers";
import { createApiKey } from "@workers/auth/api-keys";
import { getAuth } from "@workers/auth/auth";
import type { PersonInput } from "@workers/core/people";
import { insertPeople, listPeople } from "@workers/data/people";
import { createTeam } from "@workers/data/teams";
import { db } from "@workers/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const PersonBody = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string().nullable(),
  timeZone: z.string().nullable(),
  ownerId: z.string().nullable(),
  emails: z.array(z.object({ address: z.string(), type: z.enum(["personal", "work"]) })),
  phones: z.array(z.object({ number: z.string(), type: z.string() })),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  outreach: z.array(z.unknown()),
});
const PageBody = z.object({ items: z.array(PersonBody), nextCursor: z.string().optional() });
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

type Team = { teamId: string; userId: string; key: string };

async function makeTeam(label: string): Promise<Team> {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const signed = await getAuth(env).api.signUpEmail({
    body: { name: label, email, password: "password123" },
  });
  const userId = signed.user.id;
  const teamId = await createTeam(env, userId, `${label} team`);
  const { key } = await createApiKey(db(env), { teamId, userId, name: "test" });
  return { teamId, userId, key };
}

function call(team: Team | null, method: string, path: string, body?: unknown | string) {
  const headers: Record<string, string> = {};
  if (team) headers.Authorization = `Bearer ${team.key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return exports.default.fetch(`http://localhost${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

let alpha: Team;
let beta: Team;

beforeAll(async () => {
  alpha = await makeTeam("alpha");
  beta = await makeTeam("beta");
});

describe("POST /api/v1/people", () => {
  it("creates a person owned by the API key's user", async () => {
    const res = await call(alpha, "POST", "/api/v1/people", {
      firstName: "Ada",
      lastName: "Lovelace",
      emails: [{ address: "ada@example.com", type: "work" }],
      phones: [{ number: "+44 20 7946 0000" }],
      timeZone: "Europe/London",
    });
    expect(res.status).toBe(201);
    const person = PersonBody.parse(await res.json());
    expect(person).toMatchObject({
      firstName: "Ada",
      lastName: "Lovelace",
      ownerId: alpha.userId,
      timeZone: "Europe/London",
      emails: [{ address: "ada@example.com", type: "work" }],
      phones: [{ number: "+44 20 7946 0000", type: "mobile" }],
      outreach: [],
    });
  });

  it("answers 422 naming firstName when it is empty", async () => {
    const res = await call(alpha, "POST", "/api/v1/people", { firstName: "" });
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.issues?.map((i) => i.path)).toEqual(["firstName"]);
  });

  it("answers 422 naming the bad email's path", async () => {
    const res = await call(alpha, "POST", "/api/v1/people", {
      firstName: "Bo",
      emails: [{ address: "bo@", type: "work" }],
    });
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.issues?.map((i) => i.path)).toEqual(["emails.0.address"]);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const res = await call(alpha, "POST", "/api/v1/people", "{firstName:");
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("bad_request");
  });

  it("answers 401 without an API key", async () => {
    const res = await call(null, "POST", "/api/v1/people", { firstName: "Eve" });
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("answers 401 to an unknown key", async () => {
    const res = await call({ ...alpha, key: "bk_nope" }, "GET", "/api/v1/people");
    expect(res.status).toBe(401);
  });
});

describe("one person", () => {
  it("reads, edits and deletes a person", async () => {
    const created = PersonBody.parse(
      await (
        await call(alpha, "POST", "/api/v1/people", {
          firstName: "Grace",
          lastName: "Hopper",
          emails: [{ address: "grace@navy.example", type: "work" }],
        })
      ).json(),
    );
    const read = await call(alpha, "GET", `/api/v1/people/${created.id}`);
    expect(read.status).toBe(200);
    expect(PersonBody.parse(await read.json())).toEqual(created);

    const patched = await call(alpha, "PATCH", `/api/v1/people/${created.id}`, {
      lastName: null,
      emails: [{ address: "grace@home.example", type: "personal" }],
    });
    expect(patched.status).toBe(200);
    const after = PersonBody.parse(await patched.json());
    expect(after).toMatchObject({
      firstName: "Grace",
      lastName: null,
      emails: [{ address: "grace@home.example", type: "personal" }],
    });

    const deleted = await call(alpha, "DELETE", `/api/v1/people/${created.id}`);
    expect(deleted.status).toBe(204);
    expect((await call(alpha, "GET", `/api/v1/people/${created.id}`)).status).toBe(404);
  });

  it("answers 422 to a patch that empties the first name", async () => {
    const created = PersonBody.parse(
      await (await call(alpha, "POST", "/api/v1/people", { firstName: "Kay" })).json(),
    );
    const res = await call(alpha, "PATCH", `/api/v1/people/${created.id}`, { firstName: " " });
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json()).error.issues?.[0].path).toBe("firstName");
  });

  it("answers 404 to GET, PATCH and DELETE of another team's person", async () => {
    const theirs = PersonBody.parse(
      await (await call(beta, "POST", "/api/v1/people", { firstName: "Secret" })).json(),
    );
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { firstName: "Stolen" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await call(alpha, method, `/api/v1/people/${theirs.id}`, body);
      expect(res.status, method).toBe(404);
      expect(ErrorBody.parse(await res.json()).error.code).toBe("not_found");
    }
    const still = PersonBody.parse(
      await (await call(beta, "GET", `/api/v1/people/${theirs.id}`)).json(),
    );
    expect(still.firstName).toBe("Secret");
  });

  it("answers 404 to an id that does not exist", async () => {
    expect((await call(alpha, "GET", "/api/v1/people/nope")).status).toBe(404);
  });
});

describe("GET /api/v1/people", () => {
  it("pages through every person once, in name order", async () => {
    const team = await makeTeam("pager");
    const people: PersonInput[] = Array.from({ length: 23 }, (_, i) => ({
      firstName: `First${i}`,
      lastName: `Last${String(i % 7).padStart(2, "0")}`,
    }));
    await insertPeople(db(env), team.teamId, team.userId, people);
    const seen: string[] = [];
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const qs = cursor ? `?limit=10&cursor=${encodeURIComponent(cursor)}` : "?limit=10";
      const res = await call(team, "GET", `/api/v1/people${qs}`);
      expect(res.status).toBe(200);
      const page = PageBody.parse(await res.json());
      seen.push(...page.items.map((p) => p.id));
      names.push(...page.items.map((p) => `${p.lastName} ${p.firstName}`.toLowerCase()));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(23);
    expect(names).toEqual([...names].sort());
  });

  it("searches by name and by email, case-insensitively, within the team only", async () => {
    await call(alpha, "POST", "/api/v1/people", {
      firstName: "Zelda",
      lastName: "Fitzgerald",
      emails: [{ address: "Zelda.F@gmail.com", type: "personal" }],
    });
    await call(beta, "POST", "/api/v1/people", { firstName: "Zelda", lastName: "Other" });
    const byName = PageBody.parse(
      await (await call(alpha, "GET", "/api/v1/people?q=zelda%20fitz")).json(),
    );
    expect(byName.items.map((p) => p.lastName)).toEqual(["Fitzgerald"]);
    const byEmail = PageBody.parse(
      await (await call(alpha, "GET", "/api/v1/people?q=ZELDA.F@GMAIL")).json(),
    );
    expect(byEmail.items.map((p) => p.lastName)).toEqual(["Fitzgerald"]);
  });

  it("treats % and _ in the search literally", async () => {
    await call(alpha, "POST", "/api/v1/people", { firstName: "Percy", lastName: "100%_sure" });
    const res = PageBody.parse(await (await call(alpha, "GET", "/api/v1/people?q=0%25_s")).json());
    expect(res.items.map((p) => p.firstName)).toEqual(["Percy"]);
    const none = PageBody.parse(await (await call(alpha, "GET", "/api/v1/people?q=%25%25")).json());
    expect(none.items).toEqual([]);
  });

  it("answers 422 naming the limit when it is bad", async () => {
    const res = await call(alpha, "GET", "/api/v1/people?limit=500");
    expect(res.status).toBe(422);
    const paths = ErrorBody.parse(await res.json()).error.issues?.map((i) => i.path);
    expect(paths).toEqual(["limit"]);
  });

  it("answers 400 invalid_cursor naming the cursor when it is not one it gave out", async () => {
    const res = await call(alpha, "GET", "/api/v1/people?cursor=junk&limit=500");
    expect(res.status).toBe(400);
    const { error } = ErrorBody.parse(await res.json());
    expect(error.code).toBe("invalid_cursor");
    expect(error.issues?.map((i) => i.path)).toEqual(["cursor"]);
  });
});

describe("people pages", () => {
  let cookie = "";
  let teamId = "";

  beforeAll(async () => {
    const email = `pages-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const res = await exports.default.fetch("http://localhost/signup", {
      method: "POST",
      headers: { Origin: "http://localhost", Host: "localhost" },
      body: new URLSearchParams({ name: "Pat", email, password: "password123", teamName: "Pages" }),
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const user = await db(env).query.user.findFirst({ where: (u, { eq }) => eq(u.email, email) });
    const member = await db(env).query.member.findFirst({
      where: (m, { eq }) => eq(m.userId, user?.id ?? ""),
    });
    teamId = member?.organizationId ?? "";
  });

  function page(path: string, form?: Record<string, string>) {
    return exports.default.fetch(`http://localhost${path}`, {
      method: form ? "POST" : "GET",
      headers: { Cookie: cookie, Origin: "http://localhost", Host: "localhost" },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: "manual",
    });
  }

  it("answers 404 to another team's person on the profile loader and both actions", async () => {
    const theirs = PersonBody.parse(
      await (await call(beta, "POST", "/api/v1/people", { firstName: "Hidden" })).json(),
    );
    expect((await page(`/people/${theirs.id}`)).status).toBe(404);
    expect((await page(`/people/${theirs.id}`, { intent: "delete" })).status).toBe(404);
    expect((await page(`/people/${theirs.id}`, { intent: "save", firstName: "" })).status).toBe(
      404,
    );
    expect((await page(`/people/${theirs.id}`, { intent: "save", firstName: "X" })).status).toBe(
      404,
    );
    const still = await call(beta, "GET", `/api/v1/people/${theirs.id}`);
    expect(PersonBody.parse(await still.json()).firstName).toBe("Hidden");
  });

  it("keeps what was typed and names the field when the add form is refused", async () => {
    const res = await page("/people/new", {
      firstName: "",
      lastName: "Keepme",
      "emails[0].address": "nope@",
      "emails[0].type": "work",
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Enter a first name");
    expect(html).toContain("Invalid email address");
    expect(html).toContain('value="Keepme"');
    expect(html).toContain('value="nope@"');
  });

  it("adds a person from the form and lists them", async () => {
    const res = await page("/people/new", {
      firstName: "Formy",
      lastName: "McFormface",
      "emails[0].address": "formy@example.com",
      "emails[0].type": "work",
      "emails[1].address": "",
      "emails[1].type": "personal",
      "phones[0].number": "",
      "phones[0].type": "mobile",
    });
    expect(res.status).toBe(302);
    const location = res.headers.get("Location") ?? "";
    expect(location).toMatch(/^\/people\/[0-9a-f-]{36}\?created=1$/);
    const list = await (await page("/people?q=formy")).text();
    expect(list).toContain("Formy McFormface");
    const people = await listPeople(db(env), teamId, { q: "formy", limit: 5 });
    expect(people.items[0].emails).toEqual([{ address: "formy@example.com", type: "work" }]);
    expect(people.items[0].phones).toEqual([]);
  });

  it("edits and deletes a person from the profile", async () => {
    const [id] = await insertPeople(db(env), teamId, null, [
      { firstName: "Edith", lastName: "Old" },
    ]);
    const saved = await page(`/people/${id}`, {
      intent: "save",
      firstName: "Edith",
      lastName: "",
      timeZone: "Asia/Tokyo",
    });
    expect(saved.status).toBe(302);
    const edited = await listPeople(db(env), teamId, { q: "edith", limit: 5 });
    expect(edited.items[0]).toMatchObject({ lastName: null, timeZone: "Asia/Tokyo" });
    const deleted = await page(`/people/${id}`, { intent: "delete" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("Location")).toBe("/people?deleted=Edith");
    expect((await page(`/people/${id}`)).status).toBe(404);
  });
});
