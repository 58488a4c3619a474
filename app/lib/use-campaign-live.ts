import { type CampaignFrame, parseCampaignFrame } from "@workers/core/live-feed";
import { useEffect, useRef, useState } from "react";
import { openLiveSocket } from "./live-socket";

export type Diff = Extract<CampaignFrame, { type: "prospects" }>;
export type LiveStatus = { online: boolean; caughtUp: boolean };

/**
 * Follows a campaign's live feed (/parties/campaign/<id>). `sinceRev` is the version the
 * shown rows are at least as new as; every (re)connect asks with ?since= for what changed
 * after the last version applied, so a dropped connection loses nothing. A snapshot (too
 * far behind) or a definition change (stages, settings, status) calls `onReload`: the page
 * reloads its data. `definitionVersion` is the version of the definition on screen.
 */
export function useCampaignLive(
  campaignId: string,
  sinceRev: number,
  definitionVersion: number,
  handlers: { onDiff: (diff: Diff) => void; onReload: () => void },
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>({ online: false, caughtUp: false });
  const lastRev = useRef(sinceRev);
  const shownVersion = useRef(definitionVersion);
  const handler = useRef(handlers);
  handler.current = handlers;

  // Fresh loader data is at least as new as this: never ask for less.
  if (sinceRev > lastRev.current) lastRev.current = sinceRev;
  shownVersion.current = definitionVersion;

  useEffect(() => {
    const apply = (frame: CampaignFrame) => {
      switch (frame.type) {
        case "hello":
          if (typeof frame.version === "number" && frame.version !== shownVersion.current) {
            handler.current.onReload();
          }
          return;
        case "prospects":
          handler.current.onDiff(frame);
          lastRev.current = Math.max(lastRev.current, frame.rev);
          if (!frame.more) setStatus({ online: true, caughtUp: true });
          return;
        case "snapshot":
          lastRev.current = frame.rev;
          handler.current.onReload();
          setStatus({ online: true, caughtUp: true });
          return;
        case "campaign":
          if (frame.version !== shownVersion.current) handler.current.onReload();
          return;
        default:
          return;
      }
    };
    const socket = openLiveSocket({
      party: "campaign",
      room: campaignId,
      query: () => ({ since: String(lastRev.current) }),
      onMessage: (data) => {
        const frame = parseCampaignFrame(data);
        if (frame) apply(frame);
      },
      onOpenChange: (open) => setStatus({ online: open, caughtUp: false }),
    });
    return socket.close;
  }, [campaignId]);

  return status;
}
