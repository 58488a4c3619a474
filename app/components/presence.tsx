import { type PresentUser, parseCampaignFrame } from "@workers/core/live-feed";
import { useEffect, useState } from "react";
import { openLiveSocket } from "~/lib/live-socket";

/** How often the page says it is still here; the server forgets a page silent for ~3 s. */
const HEARTBEAT_MS = 1_000;

/**
 * Who of the team is on this campaign's pages right now, viewing or editing — not you.
 * Its own connection to the campaign's feed announces `mode` and beats every second; a
 * teammate who closes the page leaves the list at once, one whose connection dropped
 * within a few seconds.
 */
export function Presence({
  campaignId,
  mode,
}: {
  campaignId: string;
  mode: "viewing" | "editing";
}) {
  const [users, setUsers] = useState<PresentUser[]>([]);
  const [you, setYou] = useState<string | null>(null);

  useEffect(() => {
    const socket = openLiveSocket({
      party: "campaign",
      room: campaignId,
      query: () => ({ presence: mode }),
      onMessage: (data) => {
        const frame = parseCampaignFrame(data);
        if (frame?.type === "hello") setYou(frame.you ?? null);
        if (frame?.type === "presence") setUsers(frame.users);
      },
      onOpenChange: (open) => {
        if (!open) setUsers([]);
      },
    });
    const beat = setInterval(() => socket.send({ type: "ping", mode }), HEARTBEAT_MS);
    return () => {
      clearInterval(beat);
      socket.close();
    };
  }, [campaignId, mode]);

  const others = users.filter((u) => u.userId !== you);
  if (others.length === 0) return null;
  return (
    <section className="presence" aria-label="Teammates here now">
      <span className="small muted">Also here:</span>
      <ul className="presence-list">
        {others.map((u) => (
          <li key={u.userId} data-presence-user={u.userId} data-presence-mode={u.mode}>
            <span className="presence-avatar" aria-hidden="true">
              {initials(u.name)}
            </span>
            <span className="presence-name">{u.name}</span>{" "}
            <span className="small muted">{u.mode === "editing" ? "editing" : "viewing"}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (parts[0]?.[0] ?? "?").toUpperCase() + (parts[1]?.[0] ?? "").toUpperCase();
}
