import { env } from "cloudflare:workers";
import { hashApiKey } from "@workers/auth/api-keys";
import { getTeamSettings } from "@workers/data/teams";
import { db, schema } from "@workers/db/client";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, api, html, makeTeam, page, signUpUser, type TestUser } from "./helpers/teams";

let owner: TestUser;
let member: TestUser;

beforeAll(async () => {
  owner = await makeTeam("owner");
  member = await addMember(owner, "member", "member");
});

describe("team settings", () => {
  it("starts at 5,000 a day, UTC, defer", async () => {
    const body = await html(await page(owner.cookie, "/settings"));
    expect(body).toContain('value="5000"');
    expect(body).toMatch(/<option value="UTC" selected="">/);
    const defer = /<input[^>]*value="defer"[^>]*>/.exec(body)?.[0];
    expect(defer).toContain('checked=""');
  });

  it("an owner saves the time zone, limit and policy", async () => {
    const res = await page(owner.cookie, "/settings?index", {
      timeZone: "Europe/Paris",
      dailyEmailLimit: "1200",
      onLimit: "fail",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/settings?saved=1");
    expect(await getTeamSettings(env, owner.teamId)).toEqual({
      timeZone: "Europe/Paris",
      dailyEmailLimit: 1200,
      onLimit: "fail",
    });
    // The Account Durable Object, which enforces the limit, hears of it at once.
    const usage = await api(owner.key, "GET", "/api/v1/account/usage");
    expect(await usage.json()).toMatchObject({
      dailyEmailLimit: 1200,
      onLimit: "fail",
      timeZone: "Europe/Paris",
    });
  });

  it("names each bad field, keeps what was typed and saves nothing", async () => {
    const res = await page(owner.cookie, "/settings?index", {
      timeZone: "Mars/Olympus",
      dailyEmailLimit: "-5",
      onLimit: "explode",
    });
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Pick a time zone such as Europe/London");
    expect(body).toContain("The limit cannot be negative");
    expect(body).toContain("Choose defer or fail");
    expect(body).toContain('value="-5"');
    expect((await getTeamSettings(env, owner.teamId)).dailyEmailLimit).toBe(1200);
  });

  it("refuses a member with 403 and changes nothing", async () => {
    const res = await page(member.cookie, "/settings?index", {
      timeZone: "UTC",
      dailyEmailLimit: "1",
      onLimit: "defer",
    });
    expect(res.status).toBe(403);
    expect(await getTeamSettings(env, owner.teamId)).toMatchObject({
      dailyEmailLimit: 1200,
      onLimit: "fail",
    });
  });

  it("shows a member the settings read-only", async () => {
    const body = await html(await page(member.cookie, "/settings"));
    expect(body).toContain("Only an admin or owner of the team can change these.");
    expect(body).toContain("<fieldset disabled=");
    expect(body).not.toContain("Save settings");
  });
});

describe("API keys", () => {
  it("shows a new key once, stores only its hash, and the key works", async () => {
    const res = await page(owner.cookie, "/settings/api-keys", {
      intent: "create",
      name: "Zapier",
    });
    expect(res.status).toBe(200);
    const body = await html(res);
    const key = /bk_[0-9a-f]{64}/.exec(body)?.[0];
    expect(key).toBeDefined();
    expect(body).toContain("it is shown only this once");

    const row = await db(env).query.apiKey.findFirst({
      where: and(eq(schema.apiKey.teamId, owner.teamId), eq(schema.apiKey.name, "Zapier")),
    });
    expect(row?.keyHash).toBe(await hashApiKey(key ?? ""));
    expect(Object.values(row ?? {})).not.toContain(key);
    expect(row?.userId).toBe(owner.userId);

    const later = await html(await page(owner.cookie, "/settings/api-keys"));
    expect(later).toContain("Zapier");
    expect(later).toContain(`${key?.slice(0, 9)}…`);
    expect(later).not.toContain(key);

    expect((await api(key ?? "", "GET", "/api/v1/jobs")).status).toBe(200);
  });

  it("names the missing key name", async () => {
    const res = await page(owner.cookie, "/settings/api-keys", { intent: "create", name: " " });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain("Name the key after what will use it");
  });

  it("lists who made each key", async () => {
    const body = await html(await page(member.cookie, "/settings/api-keys"));
    expect(body).toContain("Owner User");
    expect(body).toContain("Member User");
  });

  it("revoking a key makes it 401", async () => {
    const { key, id } = await newKey(owner, "Doomed");
    expect((await api(key, "GET", "/api/v1/jobs")).status).toBe(200);
    const res = await page(owner.cookie, "/settings/api-keys", { intent: "revoke", keyId: id });
    expect(res.status).toBe(302);
    expect((await api(key, "GET", "/api/v1/jobs")).status).toBe(401);
    expect(await html(await page(owner.cookie, "/settings/api-keys"))).not.toContain("Doomed");
  });

  it("a member revokes their own key but not someone else's", async () => {
    const mine = await newKey(member, "Mine");
    const theirs = await newKey(owner, "Theirs");
    const refused = await page(member.cookie, "/settings/api-keys", {
      intent: "revoke",
      keyId: theirs.id,
    });
    expect(refused.status).toBe(403);
    expect((await api(theirs.key, "GET", "/api/v1/jobs")).status).toBe(200);
    const ok = await page(member.cookie, "/settings/api-keys", {
      intent: "revoke",
      keyId: mine.id,
    });
    expect(ok.status).toBe(302);
    expect((await api(mine.key, "GET", "/api/v1/jobs")).status).toBe(401);
  });
});

async function newKey(user: TestUser, name: string): Promise<{ key: string; id: string }> {
  const res = await page(user.cookie, "/settings/api-keys", { intent: "create", name });
  const key = /bk_[0-9a-f]{64}/.exec(await res.text())?.[0];
  if (!key) throw new Error("no key shown");
  const row = await db(env).query.apiKey.findFirst({
    where: eq(schema.apiKey.keyHash, await hashApiKey(key)),
  });
  if (!row) throw new Error("key not stored");
  return { key, id: row.id };
}

describe("members and invitations", () => {
  it("an owner invites by email and gets a link; no member is added yet", async () => {
    const res = await page(owner.cookie, "/settings/members", {
      intent: "invite",
      email: "New.Hire@Example.com",
      role: "admin",
    });
    expect(res.status).toBe(200);
    const body = await html(res);
    const link = /http:\/\/localhost\/invite\/([\w-]+)/.exec(body);
    expect(link).not.toBeNull();
    const invitation = await db(env).query.invitation.findFirst({
      where: eq(schema.invitation.id, link?.[1] ?? ""),
    });
    expect(invitation).toMatchObject({
      organizationId: owner.teamId,
      email: "new.hire@example.com",
      role: "admin",
      status: "pending",
    });
    // The waiting list keeps the link for later.
    expect(await html(await page(owner.cookie, "/settings/members"))).toContain(
      `http://localhost/invite/${invitation?.id}`,
    );
  });

  it("names a bad email and refuses inviting someone twice", async () => {
    const bad = await page(owner.cookie, "/settings/members", {
      intent: "invite",
      email: "nope",
      role: "member",
    });
    expect(await html(bad)).toContain("Enter the email address of the person to invite");
    const twice = await page(owner.cookie, "/settings/members", {
      intent: "invite",
      email: "new.hire@example.com",
      role: "member",
    });
    expect(await html(twice)).toMatch(/already invited/i);
  });

  it("a member cannot invite, change roles or remove (403)", async () => {
    const attempts: Record<string, string>[] = [
      { intent: "invite", email: "x@example.com", role: "member" },
      { intent: "role", memberId: owner.memberId, role: "member" },
      { intent: "remove", id: owner.memberId },
    ];
    for (const form of attempts) {
      expect((await page(member.cookie, "/settings/members", form)).status).toBe(403);
    }
    const row = await db(env).query.member.findFirst({
      where: eq(schema.member.id, owner.memberId),
    });
    expect(row?.role).toBe("owner");
  });

  it("the invitee opens the link signed out, signs in, accepts and lands in the team", async () => {
    const invitee = await signUpUser("invitee");
    const created = await page(owner.cookie, "/settings/members", {
      intent: "invite",
      email: invitee.email,
      role: "member",
    });
    const id = /\/invite\/([\w-]+)/.exec(await html(created))?.[1] ?? "";

    const signedOut = await html(await page(null, `/invite/${id}`));
    expect(signedOut).toContain("Join owner team");
    expect(signedOut).toContain(invitee.email);
    expect(signedOut).toContain(`/login?redirectTo=${encodeURIComponent(`/invite/${id}`)}`);
    expect(signedOut).toContain(`/signup?redirectTo=${encodeURIComponent(`/invite/${id}`)}`);

    const signedIn = await html(await page(invitee.cookie, `/invite/${id}`));
    expect(signedIn).toContain("Accept and join owner team");

    const accepted = await page(invitee.cookie, `/invite/${id}`, {});
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("Location")).toBe("/people");
    const membership = await db(env).query.member.findFirst({
      where: and(
        eq(schema.member.organizationId, owner.teamId),
        eq(schema.member.userId, invitee.userId),
      ),
    });
    expect(membership?.role).toBe("member");
    // The invitee now works in the owner's team (the shell shows its name).
    expect(await html(await page(invitee.cookie, "/settings/members"))).toContain("owner team");
  });

  it("someone signed in as another address cannot accept", async () => {
    const stranger = await signUpUser("stranger");
    const created = await page(owner.cookie, "/settings/members", {
      intent: "invite",
      email: "someone-else@example.com",
      role: "member",
    });
    const id = /\/invite\/([\w-]+)/.exec(await html(created))?.[1] ?? "";
    expect(await html(await page(stranger.cookie, `/invite/${id}`))).toContain(
      "but this invitation is for someone-else@example.com",
    );
    const res = await page(stranger.cookie, `/invite/${id}`, {});
    expect(res.status).toBe(200);
    expect(await html(res)).toMatch(/not the recipient/i);
    const joined = await db(env).query.member.findFirst({
      where: and(
        eq(schema.member.organizationId, owner.teamId),
        eq(schema.member.userId, stranger.userId),
      ),
    });
    expect(joined).toBeUndefined();
  });

  it("an unknown invitation is 404", async () => {
    expect((await page(null, "/invite/does-not-exist")).status).toBe(404);
  });

  it("an owner changes a member's role and removes them", async () => {
    const temp = await addMember(owner, "temp", "member");
    const promoted = await page(owner.cookie, "/settings/members", {
      intent: "role",
      memberId: temp.memberId,
      role: "admin",
    });
    expect(promoted.status).toBe(200);
    expect(await html(promoted)).toContain("Role changed to Admin.");
    expect(
      (await db(env).query.member.findFirst({ where: eq(schema.member.id, temp.memberId) }))?.role,
    ).toBe("admin");

    const removed = await page(owner.cookie, "/settings/members", {
      intent: "remove",
      id: temp.memberId,
    });
    expect(removed.status).toBe(200);
    expect(
      await db(env).query.member.findFirst({ where: eq(schema.member.id, temp.memberId) }),
    ).toBeUndefined();
    // Their API key acts for nobody now.
    expect((await api(temp.key, "GET", "/api/v1/jobs")).status).toBe(401);
  });

  it("an admin cannot demote the owner", async () => {
    const admin = await addMember(owner, "admin", "admin");
    const res = await page(admin.cookie, "/settings/members", {
      intent: "role",
      memberId: owner.memberId,
      role: "member",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain('class="form-error"');
    expect(
      (await db(env).query.member.findFirst({ where: eq(schema.member.id, owner.memberId) }))?.role,
    ).toBe("owner");
  });
});
