import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Form, NavLink, Outlet, useLoaderData, useLocation, useSubmit } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { listUserTeams } from "@workers/data/teams";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const teams = await listUserTeams(env, actor.userId);
  return {
    user: { name: actor.session.user.name, email: actor.session.user.email },
    teamId: actor.teamId,
    role: actor.role,
    teams,
  };
}

const NAV = [
  { to: "/dashboard", label: "Dashboard" },
  { to: "/people", label: "People" },
  { to: "/campaigns", label: "Campaigns" },
  { to: "/tasks", label: "Tasks" },
  { to: "/email-log", label: "Email Log" },
  { to: "/jobs", label: "Jobs" },
  { to: "/mailboxes", label: "Mailboxes" },
  { to: "/settings", label: "Settings" },
];

function TeamSwitcher({
  teams,
  teamId,
}: {
  teams: { id: string; name: string }[];
  teamId: string;
}) {
  const submit = useSubmit();
  const location = useLocation();
  if (teams.length < 2) return <div className="small">{teams[0]?.name}</div>;
  return (
    <Form method="post" action="/teams/switch" onChange={(e) => submit(e.currentTarget)}>
      <input type="hidden" name="to" value={location.pathname} />
      <label htmlFor="team-switch" className="small muted">
        Team
      </label>
      <select id="team-switch" name="teamId" defaultValue={teamId}>
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </Form>
  );
}

export default function AppShell() {
  const { user, teams, teamId } = useLoaderData<typeof loader>();
  const links = NAV.map((n) => (
    <NavLink key={n.to} to={n.to} className={({ isActive }) => (isActive ? "active" : undefined)}>
      {n.label}
    </NavLink>
  ));
  return (
    <div className="shell">
      <header className="topbar">
        <div className="row">
          <span className="brand">Beacon</span>
          <Form method="post" action="/logout">
            <button type="submit" className="secondary">
              Sign out
            </button>
          </Form>
        </div>
        <nav aria-label="Main">{links}</nav>
      </header>
      <aside className="sidebar">
        <div className="brand">Beacon</div>
        <nav aria-label="Main" style={{ display: "contents" }}>
          {links}
        </nav>
        <div className="spacer" />
        <div className="who">
          <TeamSwitcher teams={teams} teamId={teamId} />
          <div style={{ marginTop: "0.5rem" }}>{user.name}</div>
          <div className="small">{user.email}</div>
          <NavLink to="/teams/new" className="small">
            + New team
          </NavLink>
          <Form method="post" action="/logout">
            <button type="submit" className="secondary">
              Sign out
            </button>
          </Form>
        </div>
      </aside>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
