// The fake Resend for the bench's (d) and (e), in a process of its own: a provider is not
// in the sender's event loop, and in the bench's (which hosts Miniflare's side of every
// request) a busy moment delayed the fake's reading of a request past its one-second rate
// window, so it counted a 429 the sender had not earned.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import type { ResendFake } from "../../tests/fakes/resend-server";
import { startResendFake } from "../../tests/fakes/resend-server";

const Ready = z.object({ url: z.string().url() });

/** Starts the fake in a child process (this file run as a script) and answers its address. */
export async function startResendFakeProcess(maxEmailsKept: number): Promise<ResendFake> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "resend-fake-process.ts"), String(maxEmailsKept)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const first = await new Promise<string>((done, fail) => {
    lines.once("line", done);
    child.once("exit", (code) =>
      fail(new Error(`the Resend fake exited (${code}) before it was ready`)),
    );
  });
  lines.close();
  const { url } = Ready.parse(JSON.parse(first));
  return {
    url,
    close: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// Run as a script: start the fake, say where it listens, close it on SIGTERM.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const max = z.coerce
    .number()
    .int()
    .min(1)
    .parse(process.argv[2] ?? "10000");
  const fake = await startResendFake({ maxEmailsKept: max });
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  process.once("SIGTERM", () => {
    fake.close().then(() => process.exit(0));
  });
}
