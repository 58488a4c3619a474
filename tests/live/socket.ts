// A WebSocket to /parties/… through the Worker, as a signed-in browser opens it, with
// every frame kept so a test can wait for the one it expects.

import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { z } from "zod";

export type Frame = Record<string, unknown> & { type: string };
const FrameSchema = z.looseObject({ type: z.string() });

export type LiveSocket = {
  ws: WebSocket;
  frames: Frame[];
  closed: Promise<number>;
  /** The first frame (from `from` on) that matches, waiting up to `ms`. */
  next(match: (f: Frame) => boolean, ms?: number, from?: number): Promise<Frame>;
  send(message: unknown): void;
};

export async function openSocket(cookie: string, path: string): Promise<LiveSocket | number> {
  const res = await exports.default.fetch(`http://localhost${path}`, {
    headers: { Upgrade: "websocket", Cookie: cookie },
  });
  if (res.status !== 101 || !res.webSocket) {
    await res.body?.cancel();
    return res.status;
  }
  const ws = res.webSocket;
  const frames: Frame[] = [];
  ws.addEventListener("message", (e) => frames.push(FrameSchema.parse(JSON.parse(String(e.data)))));
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (e) => resolve(e.code)),
  );
  ws.accept();
  return {
    ws,
    frames,
    closed,
    async next(match, ms = 3_000, from = 0) {
      for (let waited = 0; ; waited += 10) {
        const found = frames.slice(from).find(match);
        if (found) return found;
        if (waited >= ms) {
          throw new Error(`no matching frame; got ${JSON.stringify(frames).slice(0, 2_000)}`);
        }
        await scheduler.wait(10);
      }
    },
    send(message) {
      ws.send(JSON.stringify(message));
    },
  };
}

export async function connected(cookie: string, path: string): Promise<LiveSocket> {
  const s = await openSocket(cookie, path);
  if (typeof s === "number") throw new Error(`not connected: ${s}`);
  return s;
}

export const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);

/** Rows and removals of a catch-up: every `prospects` frame up to the one without `more`. */
export async function catchUp(s: LiveSocket) {
  await s.next((f) => f.type === "snapshot" || (f.type === "prospects" && f.more !== true));
  const frames = s.frames.filter((f) => f.type === "prospects" || f.type === "snapshot");
  const diff = z.object({
    rows: z.array(z.object({ personId: z.string(), status: z.string() })),
    removed: z.array(z.string()),
  });
  const rows = frames.filter((f) => f.type === "prospects").map((f) => diff.parse(f));
  expect(frames.filter((f) => f.type === "snapshot")).toEqual([]);
  return {
    rows: rows.flatMap((r) => r.rows),
    removed: rows.flatMap((r) => r.removed),
  };
}
