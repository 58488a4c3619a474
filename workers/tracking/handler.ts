import { clock } from "../clock";
import {
  BURST_WINDOW_MS,
  type Classification,
  classify,
  HONEYPOT_WINDOW_MS,
  type PriorEvent,
  type TrackedKind,
} from "../core/tracking/machine";
import { type TrackingClaim, verifyTrackingToken } from "../core/tracking/token";
import { config } from "../env";
import {
  type EventPlace,
  engagementStatement,
  metricsOf,
  recountStatements,
} from "../metrics/record";
import { readAttachment } from "./attachments";

/** A transparent 1×1 GIF. */
const PIXEL = Uint8Array.from(
  atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"),
  (c) => c.charCodeAt(0),
);

const NO_STORE = "no-store, no-cache, must-revalidate, private";

const KINDS: Record<string, { claim: TrackingClaim["k"]; kind: TrackedKind }> = {
  o: { claim: "o", kind: "open" },
  c: { claim: "c", kind: "click" },
  d: { claim: "d", kind: "download" },
  h: { claim: "h", kind: "honeypot" },
};

const notFound = () =>
  new Response("Not found", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
  });

type LogRow = {
  campaign_id: string;
  person_id: string;
  stage_id: string;
  mailbox_id: string | null;
  sent_at: number | null;
};

/** The request's network as Cloudflare reports it (absent in some local requests). */
function networkOf(request: Request): { asn: number | null; asOrg: string | null } {
  const cf = (request as { cf?: { asn?: unknown; asOrganization?: unknown } }).cf;
  return {
    asn: typeof cf?.asn === "number" ? cf.asn : null,
    asOrg: typeof cf?.asOrganization === "string" ? cf.asOrganization : null,
  };
}

/**
 * Stores the event and counts it (DESIGN.md §1 "Metrics"): every request is kept with
 * why it is a machine or not; a human event counts for the person at the message's
 * stage, a machine one only in "all". A honeypot hit or a burst also flags the message's
 * clicks around it, counted again without them.
 */
async function record(
  env: Env,
  request: Request,
  claim: TrackingClaim,
  kind: TrackedKind,
  link: string | null,
): Promise<Classification | null> {
  const d1 = env.DB;
  const row = await d1
    .prepare(
      "SELECT campaign_id, person_id, stage_id, mailbox_id, sent_at FROM email_log WHERE id = ? AND team_id = ?",
    )
    .bind(claim.m, claim.t)
    .first<LogRow>();
  // A message the Email Log does not (yet) show: nothing to count it against.
  if (!row) return null;
  const now = clock.now();
  const prior = await d1
    .prepare(
      "SELECT kind, link, at FROM tracking_event WHERE message_id = ? AND at >= ? AND at <= ? LIMIT 500",
    )
    .bind(claim.m, now - HONEYPOT_WINDOW_MS, now + HONEYPOT_WINDOW_MS)
    .all<PriorEvent>();
  const { asn, asOrg } = networkOf(request);
  const userAgent = request.headers.get("User-Agent")?.slice(0, 500) ?? null;
  const c = classify(
    { kind, method: request.method, at: now, sentAt: row.sent_at, userAgent, asn, asOrg, link },
    prior.results,
    { machineSeconds: config(env).TRACK_MACHINE_SECONDS ?? 10 },
  );
  const place: EventPlace = {
    teamId: claim.t,
    campaignId: row.campaign_id,
    stageId: row.stage_id,
    personId: row.person_id,
    mailboxId: row.mailbox_id,
  };
  const statements: D1PreparedStatement[] = [
    d1
      .prepare(
        `INSERT INTO tracking_event (id, team_id, campaign_id, message_id, person_id, stage_id, mailbox_id,
           kind, link, at, since_send_ms, method, user_agent, asn, as_org, machine, machine_reason, proxy)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        crypto.randomUUID(),
        claim.t,
        row.campaign_id,
        claim.m,
        row.person_id,
        row.stage_id,
        row.mailbox_id,
        kind,
        link,
        now,
        row.sent_at === null ? null : now - row.sent_at,
        request.method,
        userAgent,
        asn,
        asOrg,
        c.machine ? 1 : 0,
        c.reason,
        c.proxy ? 1 : 0,
      ),
  ];
  const counted = kind !== "download" || (claim.k === "d" && claim.n === 1);
  if (counted) {
    for (const metric of metricsOf(kind)) {
      statements.push(engagementStatement(d1, place, metric, now, !c.machine));
    }
    // The Email Log's engagement times: the message's first human open, click, download.
    const column = { open: "opened_at", click: "clicked_at", download: "downloaded_at" }[
      kind as "open" | "click" | "download"
    ];
    if (column && !c.machine) {
      const opened = kind === "click" ? ", opened_at = coalesce(opened_at, ?2)" : "";
      statements.push(
        d1
          .prepare(
            `UPDATE email_log SET ${column} = coalesce(${column}, ?2)${opened} WHERE id = ?1`,
          )
          .bind(claim.m, now),
      );
    }
  }
  // Clicks around a honeypot hit, or the rest of a burst, were machines too.
  const window =
    c.reason === "honeypot" ? HONEYPOT_WINDOW_MS : c.reason === "burst" ? BURST_WINDOW_MS : 0;
  if (window > 0) {
    statements.push(
      d1
        .prepare(
          `UPDATE tracking_event SET machine = 1, machine_reason = ?
           WHERE message_id = ? AND kind = 'click' AND machine = 0 AND at BETWEEN ? AND ?`,
        )
        .bind(
          c.reason === "honeypot" ? "near_honeypot" : "burst",
          claim.m,
          now - window,
          now + window,
        ),
      // The Email Log's click and open times, where a click just flagged set them: the
      // message's first human click, and its first human open or click, that are left (or
      // none). A time from before the window was set by an earlier human event and stays
      // (events older than 90 days are pruned, so they could not be read again).
      d1
        .prepare(
          `UPDATE email_log SET
             clicked_at = CASE WHEN clicked_at >= ?2 THEN
               (SELECT MIN(at) FROM tracking_event WHERE message_id = ?1 AND kind = 'click' AND machine = 0)
               ELSE clicked_at END,
             opened_at = CASE WHEN opened_at >= ?2 THEN
               (SELECT MIN(at) FROM tracking_event WHERE message_id = ?1 AND kind IN ('open', 'click') AND machine = 0)
               ELSE opened_at END
           WHERE id = ?1`,
        )
        .bind(claim.m, now - window),
      ...recountStatements(d1, place),
    );
  }
  await d1.batch(statements);
  return c;
}

/**
 * /t/{o|c|d|h}/<token>: the open pixel, a click's redirect, an attachment download and the
 * honeypot (DESIGN.md §2). A forged or altered token is a 404 and counts nothing; a click
 * redirects only to the URL its signed token names (the one that was in the message).
 */
export async function handleTracking(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const m = new URL(request.url).pathname.match(
    /^\/t\/([ocdh])\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(\.gif)?\/?$/,
  );
  const route = m ? KINDS[m[1]] : undefined;
  if (!m || !route || (m[3] !== undefined) !== (route.kind === "open")) return notFound();
  const claim = verifyTrackingToken(config(env).AUTH_SECRET, m[2]);
  if (!claim || claim.k !== route.claim) return notFound();

  if (claim.k === "d") {
    const file = await readAttachment(env, claim.t, claim.a, request.method === "HEAD");
    if (!file) return notFound();
    try {
      await record(env, request, claim, "download", claim.a);
    } catch (error) {
      console.warn("tracking: could not record", claim.m, error);
    }
    return file;
  }
  const link = claim.k === "c" ? claim.u : null;
  try {
    await record(env, request, claim, route.kind, link);
  } catch (error) {
    // Counting failed: the person still gets their page or image.
    console.warn("tracking: could not record", claim.m, error);
  }
  if (claim.k === "c") {
    return new Response(null, {
      status: 302,
      headers: { Location: claim.u, "Cache-Control": NO_STORE, "Referrer-Policy": "no-referrer" },
    });
  }
  if (claim.k === "o") {
    return new Response(request.method === "HEAD" ? null : PIXEL, {
      headers: {
        "Content-Type": "image/gif",
        "Content-Length": String(PIXEL.byteLength),
        "Cache-Control": NO_STORE,
        Pragma: "no-cache",
      },
    });
  }
  return new Response("", {
    status: 200,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
  });
}
