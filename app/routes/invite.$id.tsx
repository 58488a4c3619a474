import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { findMembership, getSession, requireUser } from "@workers/auth/guards";
import { ROLE_LABELS, TEAM_ROLES, type TeamRole } from "@workers/core/settings";
import { acceptInvitation, findInvitation } from "@workers/data/members";
import { switchTeam } from "~/lib/auth.server";
import styles from "~/styles/settings.css?url";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Join ${data.invitation.teamName} · Beacon` : "Invitation · Beacon" },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

type InvitationState = "pending" | "expired" | "accepted" | "closed";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const invitation = await findInvitation(env, params.id ?? "");
  if (!invitation) throw new Response("This invitation link is not valid.", { status: 404 });
  const session = await getSession(request, env);
  const state: InvitationState =
    invitation.status === "accepted"
      ? "accepted"
      : invitation.status !== "pending"
        ? "closed"
        : invitation.expiresAt.getTime() <= Date.now()
          ? "expired"
          : "pending";
  const member = session ? await findMembership(env, session.user.id, invitation.teamId) : null;
  const role = (TEAM_ROLES as readonly string[]).includes(invitation.role ?? "")
    ? (invitation.role as TeamRole)
    : "member";
  return {
    invitation: {
      id: invitation.id,
      email: invitation.email,
      teamName: invitation.teamName,
      role: ROLE_LABELS[role],
      state,
    },
    signedInAs: session?.user.email ?? null,
    alreadyMember: member?.organizationId === invitation.teamId,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const invitation = await findInvitation(env, params.id ?? "");
  if (!invitation) throw new Response("This invitation link is not valid.", { status: 404 });
  const member = await findMembership(env, session.user.id, invitation.teamId);
  if (member?.organizationId !== invitation.teamId) {
    const res = await acceptInvitation(env, request, invitation.id);
    if (!res.ok) return { message: res.message };
  }
  throw await switchTeam(env, request, invitation.teamId, "/people");
}

function Body() {
  const { invitation, signedInAs, alreadyMember } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const here = `/invite/${invitation.id}`;
  const back = encodeURIComponent(here);
  if (alreadyMember) {
    return (
      <>
        <p>You are already a member of {invitation.teamName}.</p>
        <Form method="post">
          <button type="submit" disabled={busy}>
            Open {invitation.teamName}
          </button>
        </Form>
      </>
    );
  }
  if (invitation.state !== "pending") {
    return (
      <p className="form-error">
        {invitation.state === "expired"
          ? "This invitation has expired. Ask the person who invited you for a new link."
          : invitation.state === "accepted"
            ? "This invitation has already been accepted."
            : "This invitation was canceled. Ask the person who invited you for a new link."}
      </p>
    );
  }
  if (!signedInAs) {
    return (
      <>
        <p className="muted">Sign in or create an account as {invitation.email} to join.</p>
        <div className="stack">
          <Link className="button" to={`/login?redirectTo=${back}`}>
            Sign in
          </Link>
          <Link className="button secondary" to={`/signup?redirectTo=${back}`}>
            Create an account
          </Link>
        </div>
      </>
    );
  }
  const wrongUser = signedInAs.toLowerCase() !== invitation.email.toLowerCase();
  return (
    <>
      {data?.message ? (
        <div className="form-error" role="alert">
          {data.message}
        </div>
      ) : null}
      {wrongUser ? (
        <p className="form-error">
          You are signed in as {signedInAs}, but this invitation is for {invitation.email}. Sign out
          and sign in as {invitation.email} to accept it.
        </p>
      ) : null}
      <Form method="post">
        <button type="submit" disabled={busy || wrongUser}>
          {busy ? "Joining…" : `Accept and join ${invitation.teamName}`}
        </button>
      </Form>
      {wrongUser ? (
        <Form method="post" action="/logout" className="stack">
          <button type="submit" className="secondary">
            Sign out
          </button>
        </Form>
      ) : null}
    </>
  );
}

export default function Invite() {
  const { invitation } = useLoaderData<typeof loader>();
  return (
    <main className="auth-page">
      <div className="card auth-card invite-card">
        <div className="brand">Beacon</div>
        <h1>Join {invitation.teamName}</h1>
        <p>
          <strong>{invitation.email}</strong> is invited to join as {invitation.role.toLowerCase()}.
        </p>
        <Body />
      </div>
    </main>
  );
}
