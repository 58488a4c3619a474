// CPU profiles of the bench's Worker while a phase runs, through workerd's inspector.
//
//   BENCH_INSPECTOR_PORT=9229 BENCH_ROWS=i npm run bench > /tmp/bench.log 2>&1 &
//   npx tsx scripts/bench/cpu-profile.ts --log /tmp/bench.log --after "(i) bulk pause" --ms 6000
//
// It waits until the bench's log has the line `--after`, then attaches to the isolates named
// by `--targets` (the Worker with its Durable Objects, and Miniflare's local D1), samples
// them for `--ms`, writes one .cpuprofile each (Chrome DevTools opens them) and prints the
// functions with the most time. The bench restarts its Worker between phases, so it attaches
// only once the line is there. Loopback only.

import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.BENCH_INSPECTOR_PORT ?? "9229" },
    log: { type: "string" },
    after: { type: "string" },
    ms: { type: "string", default: "5000" },
    targets: { type: "string", default: "core:user:,d1:db" },
    out: { type: "string", default: "/tmp/beacon-cpu" },
    top: { type: "string", default: "25" },
  },
});
const Args = z.object({
  port: z.coerce.number().int().min(1).max(65_535),
  log: z.string({ error: "--log names the bench's log file" }),
  after: z.string({ error: "--after is the log line to start at" }),
  ms: z.coerce.number().int().min(100).max(120_000),
  targets: z.string(),
  out: z.string(),
  top: z.coerce.number().int().min(1),
});
const args = Args.parse(values);

const Targets = z.array(z.object({ webSocketDebuggerUrl: z.string() }));
const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type Profile = z.infer<typeof Profile>;

async function waitForLine() {
  for (;;) {
    const text = await readFile(args.log, "utf8").catch(() => "");
    if (text.includes(args.after)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One DevTools session: requests by id; workerd echoes the method in its answers. */
async function session(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      next += 1;
      pending.set(next, resolve);
      ws.send(JSON.stringify({ id: next, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Self and inclusive time per function (name, file, line), in ms. */
function summary(p: Profile) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampled = new Map<number, number>();
  for (const [i, s] of p.samples.entries()) {
    sampled.set(s, (sampled.get(s) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const name = (id: number) => {
    const f = byId.get(id)?.callFrame;
    return f ? `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}` : "?";
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (const [id, us] of sampled) {
    all += us;
    self.set(name(id), (self.get(name(id)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = name(at);
      if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + us);
      seen.add(k);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, args.top)
      .map(
        ([k, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / all).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join("\n");
  return `${(all / 1000).toFixed(0)} ms sampled\n-- self\n${rows(self)}\n-- total\n${rows(total)}`;
}

await waitForLine();
const list = Targets.parse(await (await fetch(`http://127.0.0.1:${args.port}/json/list`)).json());
const wanted = args.targets.split(",");
const sessions = await Promise.all(
  wanted.map(async (target) => {
    const t = list.find((x) => x.webSocketDebuggerUrl.endsWith(`/${target}`));
    if (!t) throw new Error(`No isolate ${target} on the inspector (port ${args.port})`);
    return { target, s: await session(t.webSocketDebuggerUrl) };
  }),
);
for (const { s } of sessions) {
  await s.send("Profiler.enable");
  await s.send("Profiler.setSamplingInterval", { interval: 250 });
  await s.send("Profiler.start");
}
await new Promise((r) => setTimeout(r, args.ms));
for (const { target, s } of sessions) {
  const answer = z.object({ profile: Profile }).parse(await s.send("Profiler.stop"));
  const file = `${args.out}-${target.replaceAll(":", "_").replace(/_$/, "")}.cpuprofile`;
  writeFileSync(file, JSON.stringify(answer.profile));
  s.close();
  console.log(`== ${target} (${file})\n${summary(answer.profile)}\n`);
}
