import { z } from "zod";

export const ApiKeyNameSchema = z.object({
  name: z
    .string({ error: "Name the key after what will use it, such as Zapier" })
    .trim()
    .min(1, "Name the key after what will use it, such as Zapier")
    .max(60, "At most 60 characters"),
});

export const INVITABLE_ROLES = ["member", "admin"] as const;
export const TEAM_ROLES = ["member", "admin", "owner"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

const INVITE_EMAIL_HINT = "Enter the email address of the person to invite";

export const InviteSchema = z.object({
  email: z
    .string({ error: INVITE_EMAIL_HINT })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: INVITE_EMAIL_HINT })),
  role: z.enum(INVITABLE_ROLES, { error: "Choose member or admin" }),
});

export const MemberRoleSchema = z.object({
  memberId: z.string({ error: "Choose a member" }).min(1, "Choose a member"),
  role: z.enum(TEAM_ROLES, { error: "Choose member, admin or owner" }),
});

export const ROLE_LABELS: Record<TeamRole, string> = {
  member: "Member",
  admin: "Admin",
  owner: "Owner",
};

/** What each role may do, in one line for the Members page. */
export const ROLE_HINTS: Record<TeamRole, string> = {
  member: "works with people, campaigns and their own mailboxes",
  admin: "also changes team settings and manages members",
  owner: "also makes owners; a team always keeps at least one",
};

/** The roles an actor may hand out: only an owner makes owners. */
export function assignableRoles(actorRole: TeamRole): TeamRole[] {
  return actorRole === "owner" ? [...TEAM_ROLES] : ["member", "admin"];
}
