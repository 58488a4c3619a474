import { type LiveFrame, parseLiveFrame } from "@workers/core/prospect-list";
import PartySocket from "partysocket";
import { useEffect, useRef, useState } from "react";

export type LiveState = "connecting" | "live" | "offline";
type Diff = Extract<LiveFrame, { type: "prospects" }>;

/**
 * Follows a campaign's live feed (/parties/campaign/<id>). `sinceRev` is a version the
 * shown rows are at least as new as; on every (re)connect the hook asks the DO for what
 * changed after the last version it applied, so a dropped connection loses nothing.
 */
export function useCampaignLive(
  campaignId: string,
  sinceRev: number,
  onDiff: (diff: Diff) => void,
): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const lastRev = useRef(sinceRev);
  const handler = useRef(onDiff);
  handler.current = onDiff;

  // Fresh loader data is at least as new as this version: never ask for less.
  if (sinceRev > lastRev.current) lastRev.current = sinceRev;

  useEffect(() => {
    const socket = new PartySocket({
      host: window.location.host,
      protocol: window.location.protocol === "https:" ? "wss" : "ws",
      party: "campaign",
      room: campaignId,
    });
    const sync = (since: number) => socket.send(JSON.stringify({ type: "sync", since }));
    socket.addEventListener("open", () => setState("live"));
    socket.addEventListener("close", () => setState("offline"));
    socket.addEventListener("message", (event: MessageEvent) => {
      const frame = parseLiveFrame(event.data);
      if (!frame) return;
      if (frame.type === "hello") {
        if (frame.rev > lastRev.current) sync(lastRev.current);
        return;
      }
      if (frame.type === "prospects") {
        handler.current(frame);
        lastRev.current = Math.max(lastRev.current, frame.rev);
        if (frame.more) sync(frame.rev);
      }
    });
    return () => socket.close();
  }, [campaignId]);

  return state;
}
