import type { LinksFunction, MetaFunction } from "@remix-run/cloudflare";
import { NavLink, Outlet } from "@remix-run/react";
import styles from "~/styles/settings.css?url";

export const meta: MetaFunction = () => [{ title: "Settings · Beacon" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

const TABS = [
  { to: "/settings", label: "Team", end: true },
  { to: "/settings/api-keys", label: "API keys", end: false },
  { to: "/settings/members", label: "Members", end: false },
  { to: "/settings/domains", label: "Sending domains", end: false },
  { to: "/settings/unmatched-mail", label: "Unmatched mail", end: false },
];

export default function Settings() {
  return (
    <div>
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map((t) => (
          <NavLink
            key={t.to}
            to={t.to}
            end={t.end}
            className={({ isActive }) => (isActive ? "active" : undefined)}
          >
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
