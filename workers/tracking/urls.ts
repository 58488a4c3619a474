import type { TrackingUrls } from "../core/engine/compose";
import { trackingToken } from "../core/tracking/token";

/** The /t/* paths: open pixel, click redirect, attachment download, honeypot. */
export const TRACK_PATHS = { open: "o", click: "c", download: "d", honeypot: "h" } as const;

/**
 * One message's signed tracking URLs (DESIGN.md §2): the pixel when the campaign tracks
 * opens; tracked links and the honeypot when it tracks clicks; attachment downloads
 * always (counted only when it tracks clicks).
 */
export function trackingUrls(o: {
  secret: string;
  publicUrl: string;
  teamId: string;
  rowId: string;
  trackOpens: boolean;
  trackClicks: boolean;
}): TrackingUrls {
  const base = o.publicUrl.replace(/\/+$/, "");
  const at = (path: string, token: string, suffix = "") => `${base}/t/${path}/${token}${suffix}`;
  const t = o.teamId;
  const m = o.rowId;
  return {
    pixel: o.trackOpens
      ? at(TRACK_PATHS.open, trackingToken(o.secret, { k: "o", t, m }), ".gif")
      : null,
    click: o.trackClicks
      ? (u, i) => at(TRACK_PATHS.click, trackingToken(o.secret, { k: "c", t, m, i, u }))
      : null,
    honeypot: o.trackClicks
      ? at(TRACK_PATHS.honeypot, trackingToken(o.secret, { k: "h", t, m }))
      : null,
    download: (a) =>
      at(
        TRACK_PATHS.download,
        trackingToken(o.secret, { k: "d", t, m, a, n: o.trackClicks ? 1 : 0 }),
      ),
  };
}
