// What the fake providers (Resend, Twilio) share: a loopback HTTP server that holds some
// answers back (timeouts), reads bounded bodies, and draws faults from a seeded PRNG.

import type { IncomingMessage, Server } from "node:http";

/** Thrown into a held request when its server closes: the request is dropped, not answered. */
export class ServerClosed extends Error {}

/** A deterministic PRNG (mulberry32): the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The request body as text, or null when it is over `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > maxBytes) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers held back on purpose (a simulated timeout); `releaseAll` drops them on close. */
export function createHolds(name: string) {
  const holds = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  return {
    hold(ms: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const entry = {
          timer: setTimeout(() => {
            holds.delete(entry);
            resolve();
          }, ms),
          reject,
        };
        holds.add(entry);
      });
    },
    releaseAll() {
      for (const entry of holds) {
        clearTimeout(entry.timer);
        entry.reject(new ServerClosed(`the fake ${name} server closed`));
      }
      holds.clear();
    },
  };
}

/** Listens on loopback (an ephemeral port by default); `close()` ends every connection. */
export async function listenOnLoopback(
  server: Server,
  options: { host?: string; port?: number },
  name: string,
  beforeClose: () => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error(`the fake ${name} server is not listening on a TCP port`);
  }
  let closed = false;
  return {
    url: `http://${address.address}:${address.port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      beforeClose();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
