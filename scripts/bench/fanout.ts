// (f): a prospect's status change reaching 100 sockets of one campaign's live feed, next to
// a bare partyserver room broadcasting the same frame to 100 sockets, in the same run.
import type { WebSocket as MfWebSocket } from "miniflare";
import { z } from "zod";
import { createCampaign, enroll, type Team } from "./api";
import { type Bench, BenchError, check } from "./harness";

/**
 * 200 rounds: a round's 100 samples come from one broadcast, so they are slow together, and
 * with 30 rounds the p99 (the top 30 samples) was in effect the slowest round's: one round in
 * ~30 met other work on the thread, on either side (ratios 0.41 to 3.94 across full runs).
 * With 200 the p99 is set by the few slowest rounds of each kind, compared like with like.
 */
export const FANOUT = { sockets: 100, rounds: 200, waitMs: 10_000 };
/** Rounds of each kind run before the measured ones (an even number: pause comes first). */
const WARMUP_ROUNDS = 2;

type Socket = { ws: MfWebSocket; next: ((at: number, data: string) => void) | null };

/** Opens `n` sockets through the bench Worker (each upgrade reaches the room's DO). */
async function openSockets(b: Bench, path: string, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const res = await b.mf.dispatchFetch(`http://localhost${path}`, {
      headers: { Upgrade: "websocket" },
    });
    const ws = res.webSocket;
    if (!ws) throw new BenchError(`(f) ${path} answered ${res.status}, not a WebSocket`);
    const s: Socket = { ws, next: null };
    ws.addEventListener("message", (e) => {
      const at = performance.now();
      s.next?.(at, typeof e.data === "string" ? e.data : "");
    });
    ws.accept();
    sockets.push(s);
  }
  return sockets;
}

/**
 * Fires `trigger` and times each socket's first frame that `matches`, from the moment the
 * trigger was sent. Every socket must get one.
 */
async function round(
  sockets: Socket[],
  matches: (data: string) => boolean,
  trigger: () => Promise<unknown>,
): Promise<number[]> {
  const started = performance.now();
  const arrivals = sockets.map(
    (s) =>
      new Promise<number>((done, fail) => {
        const timer = setTimeout(
          () => fail(new BenchError("(f) a socket got no frame")),
          FANOUT.waitMs,
        );
        s.next = (at, data) => {
          if (!matches(data)) return;
          clearTimeout(timer);
          s.next = null;
          done(at - started);
        };
      }),
  );
  await trigger();
  return Promise.all(arrivals);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

const Frame = z.object({ type: z.string() }).passthrough();
const parse = (data: string) => {
  try {
    return Frame.parse(JSON.parse(data));
  } catch {
    return null;
  }
};

export async function benchFanout(b: Bench, team: Team) {
  const campaignId = await createCampaign(b, team, "Bench (f) live");
  const [personId] = team.people;
  if (!personId) throw new BenchError("(f) needs one person");
  await enroll(b, team, campaignId, [personId]);

  const live = await openSockets(
    b,
    `/bench/ws/campaign?id=${campaignId}&userId=${team.userId}`,
    FANOUT.sockets,
  );
  const bare = await openSockets(b, "/bench/ws/bare", FANOUT.sockets);
  // Let hello and catch-up frames settle.
  await new Promise((r) => setTimeout(r, 500));

  const liveMs: number[] = [];
  const bareMs: number[] = [];
  let frame = "";
  const isChange = (data: string) => {
    const f = parse(data);
    if (!f || f.type === "hello" || f.type === "presence") return false;
    return data.includes(personId);
  };
  // Two rounds first, not counted: the objects' first action and broadcast (cold statements,
  // the first frames through each path) are not what the row measures.
  for (let r = -WARMUP_ROUNDS; r < FANOUT.rounds; r++) {
    const counted = r >= 0;
    const action = (r + WARMUP_ROUNDS) % 2 === 0 ? "pause" : "unpause";
    let sample = "";
    const times = await round(
      live,
      (data) => {
        if (!isChange(data)) return false;
        sample = data;
        return true;
      },
      () =>
        b.fetch("/bench/live/act", {
          method: "POST",
          body: { campaignId, personId, action, userId: team.userId },
        }),
    );
    if (counted) liveMs.push(...times);
    frame = sample;
    // The same frame, through a bare room, right after.
    const tag = `"bench-bare-${r}"`;
    const bareFrame = frame.replace(/^\{/, `{"bench":${tag},`);
    const bareTimes = await round(
      bare,
      (data) => data.includes(tag),
      () => b.fetch("/bench/bare-party/broadcast", { method: "POST", body: { frame: bareFrame } }),
    );
    if (counted) bareMs.push(...bareTimes);
  }
  for (const s of [...live, ...bare]) s.ws.close(1000, "bench done");
  check("(f) live frames received", liveMs.length, FANOUT.sockets * FANOUT.rounds);
  check("(f) bare frames received", bareMs.length, FANOUT.sockets * FANOUT.rounds);
  return {
    live: { p50: quantile(liveMs, 0.5), p99: quantile(liveMs, 0.99) },
    bare: { p50: quantile(bareMs, 0.5), p99: quantile(bareMs, 0.99) },
    frameBytes: frame.length,
  };
}
