import { getFormProps, getSelectProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { type Role, requireMember, roleAtLeast } from "@workers/auth/guards";
import {
  assignableRoles,
  InviteSchema,
  MemberRoleSchema,
  ROLE_HINTS,
  ROLE_LABELS,
  TEAM_ROLES,
  type TeamRole,
} from "@workers/core/settings";
import {
  cancelInvitation,
  changeMemberRole,
  findInvitation,
  findTeamMember,
  inviteMember,
  listMembers,
  listPendingInvitations,
  removeMember,
} from "@workers/data/members";
import { config } from "@workers/env";
import { z } from "zod";
import { CopyButton } from "~/lib/copy-button";
import { Field, FormErrors } from "~/lib/forms";

function asTeamRole(role: string): TeamRole {
  return (TEAM_ROLES as readonly string[]).includes(role) ? (role as TeamRole) : "member";
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const canManage = roleAtLeast(actor.role, "admin");
  const [members, invitations] = await Promise.all([
    listMembers(env, actor.teamId),
    canManage ? listPendingInvitations(env, actor.teamId, new Date()) : Promise.resolve([]),
  ]);
  return {
    me: actor.userId,
    myRole: actor.role,
    canManage,
    baseUrl: config(env).PUBLIC_URL.replace(/\/+$/, ""),
    members: members.map((m) => ({
      id: m.id,
      userId: m.userId,
      name: m.name,
      email: m.email,
      role: asTeamRole(m.role),
    })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: asTeamRole(i.role ?? "member"),
      inviterName: i.inviterName,
      expiresAt: i.expiresAt.toISOString(),
    })),
  };
}

const IdSchema = z.object({ id: z.string().min(1) });
type Outcome =
  | { intent: "invite"; result: SubmissionResult<string[]> }
  | { intent: "invited"; email: string; invitationId: string }
  | { intent: "error"; message: string }
  | { intent: "done"; message: string };

function notFound(what: string): Response {
  return new Response(`No such ${what} in this team.`, { status: 404 });
}

export async function action({ request, context }: ActionFunctionArgs): Promise<Outcome> {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env, "admin");
  const formData = await request.formData();
  const intent = formData.get("intent");

  if (intent === "role") {
    const parsed = MemberRoleSchema.safeParse(Object.fromEntries(formData));
    if (!parsed.success) return { intent: "error", message: "Choose member, admin or owner." };
    const target = await findTeamMember(env, actor.teamId, parsed.data.memberId);
    if (!target) throw notFound("member");
    const res = await changeMemberRole(env, request, actor.teamId, parsed.data);
    return res.ok
      ? { intent: "done", message: `Role changed to ${ROLE_LABELS[parsed.data.role]}.` }
      : { intent: "error", message: res.message };
  }

  if (intent === "remove") {
    const parsed = IdSchema.safeParse(Object.fromEntries(formData));
    const target = parsed.success ? await findTeamMember(env, actor.teamId, parsed.data.id) : null;
    if (!target) throw notFound("member");
    const res = await removeMember(env, request, actor.teamId, target.id);
    return res.ok
      ? { intent: "done", message: "Removed from the team." }
      : { intent: "error", message: res.message };
  }

  if (intent === "cancel") {
    const parsed = IdSchema.safeParse(Object.fromEntries(formData));
    const invitation = parsed.success ? await findInvitation(env, parsed.data.id) : null;
    if (!invitation || invitation.teamId !== actor.teamId) throw notFound("invitation");
    const res = await cancelInvitation(env, request, invitation.id);
    return res.ok
      ? { intent: "done", message: `Canceled the invitation for ${invitation.email}.` }
      : { intent: "error", message: res.message };
  }

  const submission = parseWithZod(formData, { schema: InviteSchema });
  if (submission.status !== "success") return { intent: "invite", result: submission.reply() };
  const res = await inviteMember(env, request, actor.teamId, submission.value);
  if (!res.ok) return { intent: "invite", result: submission.reply({ formErrors: [res.message] }) };
  return { intent: "invited", email: res.value.email, invitationId: res.value.id };
}

function InviteForm() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "invite";
  const [form, fields] = useForm({
    id: data?.intent === "invited" ? `invite-${data.invitationId}` : "invite",
    lastResult: data?.intent === "invite" ? data.result : undefined,
    defaultValue: { role: "member" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" {...getFormProps(form)}>
      <input type="hidden" name="intent" value="invite" />
      <FormErrors errors={form.errors} />
      <div className="inline-form">
        <Field
          label="Email"
          meta={fields.email}
          type="email"
          placeholder="alex@acme.com"
          autoComplete="off"
        />
        <div className="field narrow">
          <label htmlFor={fields.role.id}>Role</label>
          <select {...getSelectProps(fields.role)} key={fields.role.key}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Inviting…" : "Invite"}
        </button>
      </div>
    </Form>
  );
}

type MemberView = { id: string; userId: string; name: string; email: string; role: TeamRole };

function MemberActions({ member, myRole, me }: { member: MemberView; myRole: Role; me: string }) {
  // Only an owner may touch an owner (better-auth enforces the same).
  if (member.role === "owner" && myRole !== "owner") return null;
  const roles = assignableRoles(myRole);
  return (
    <div className="actions">
      <Form method="post">
        <input type="hidden" name="intent" value="role" />
        <input type="hidden" name="memberId" value={member.id} />
        <label className="visually-hidden" htmlFor={`role-${member.id}`}>
          Role of {member.name}
        </label>
        <select id={`role-${member.id}`} name="role" defaultValue={member.role}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <button type="submit" className="secondary">
          Change
        </button>
      </Form>
      {member.userId === me ? null : (
        <Form
          method="post"
          onSubmit={(e) => {
            if (!confirm(`Remove ${member.name} from the team?`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="intent" value="remove" />
          <input type="hidden" name="id" value={member.id} />
          <button type="submit" className="danger">
            Remove
          </button>
        </Form>
      )}
    </div>
  );
}

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export default function Members() {
  const { members, invitations, canManage, myRole, me, baseUrl } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <>
      <section className="card settings-section" aria-labelledby="members-heading">
        <h2 id="members-heading" className="card-title">
          Members
        </h2>
        {data?.intent === "done" ? (
          <div className="notice" role="status">
            {data.message}
          </div>
        ) : null}
        {data?.intent === "error" ? (
          <div className="form-error" role="alert">
            {data.message}
          </div>
        ) : null}
        <div className="table-wrap">
          <table className="responsive">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                {canManage ? (
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id}>
                  <td data-label="Name">
                    <strong>{m.name}</strong>
                    {m.userId === me ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td data-label="Email">{m.email}</td>
                  <td data-label="Role">
                    <span className={m.role === "member" ? "badge" : "badge ok"}>
                      {ROLE_LABELS[m.role]}
                    </span>
                  </td>
                  {canManage ? (
                    <td>
                      <MemberActions member={m} myRole={myRole} me={me} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <ul className="muted small">
          {TEAM_ROLES.map((r) => (
            <li key={r}>
              <strong>{ROLE_LABELS[r]}</strong>: {ROLE_HINTS[r]}
            </li>
          ))}
        </ul>
      </section>
      {canManage ? (
        <section className="card settings-section" aria-labelledby="invite-heading">
          <h2 id="invite-heading" className="card-title">
            Invite someone
          </h2>
          <p className="muted small">
            Beacon sends no email for invitations: share the link it gives you. It works for the
            invited address only and expires after 48 hours.
          </p>
          {data?.intent === "invited" ? (
            <div className="secret-notice" role="status">
              <p>
                <strong>Invitation for {data.email} created.</strong> Send them this link:
              </p>
              <div className="copy-box">
                <code>{`${baseUrl}/invite/${data.invitationId}`}</code>
                <CopyButton text={`${baseUrl}/invite/${data.invitationId}`} />
              </div>
            </div>
          ) : null}
          <InviteForm />
          {invitations.length > 0 ? (
            <>
              <h3 className="small">Waiting for an answer</h3>
              <ul className="invitation-list">
                {invitations.map((i) => (
                  <li key={i.id}>
                    <div className="row-between">
                      <span>
                        <strong>{i.email}</strong>{" "}
                        <span className="muted small">
                          as {ROLE_LABELS[i.role]} · by {i.inviterName} · expires{" "}
                          {dateFormat.format(new Date(i.expiresAt))}
                        </span>
                      </span>
                      <Form method="post">
                        <input type="hidden" name="intent" value="cancel" />
                        <input type="hidden" name="id" value={i.id} />
                        <button type="submit" className="link">
                          Cancel
                        </button>
                      </Form>
                    </div>
                    <div className="copy-box">
                      <code>{`${baseUrl}/invite/${i.id}`}</code>
                      <CopyButton text={`${baseUrl}/invite/${i.id}`} />
                    </div>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
