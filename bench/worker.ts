/**
 * The bench's Worker (npm run bench bundles it; never deployed): the real Beacon Worker —
 * every request it does not own goes to workers/app.ts, and every Durable Object class that
 * module exports is re-exported — plus two bench-only pieces with no business in production:
 * - BareLoop, a plain SQLite Durable Object doing the same shape of due-row writes as the
 *   Campaign DO's alarm, with none of the pipeline, as the baseline for the engine's figure;
 * - /bench/reserve, which drives the real Account DO from many concurrent callers.
 */
import { DurableObject } from "cloudflare:workers";
import { getServerByName, Server } from "partyserver";
import { z } from "zod";
import app from "../workers/app";
import { BATCH_SIZE } from "../workers/campaign/pipeline/context";

export * from "../workers/app";

type BenchEnv = Env & {
  BareLoop: DurableObjectNamespace<BareLoop>;
  BareParty: DurableObjectNamespace<BareParty>;
};

const PROSPECT_COLUMNS = 5;
const MAX_BARE_ROWS = 100_000;

/** About the size of the engine's persisted email attempt, so both loops write similar rows. */
const PAYLOAD = JSON.stringify({
  id: "00000000-0000-4000-8000-000000000000",
  idempotencyKey: "00000000-0000-4000-8000-000000000000:00000000-0000-4000-8000-000000000000:0",
  teamId: "team_bench_main",
  from: "Bench Sender <sender@beacon.test>",
  to: "person.000000@example.test",
  subject: "Hello Person",
  text: "Hi Person, this is the bench's first stage.",
  html: "<div>Hi Person, this is the bench&#39;s first stage.</div>",
  replyTo: "sender@beacon.test",
  headers: {
    "Message-ID": "<00000000-0000-4000-8000-000000000000@localhost>",
    References: "<00000000-0000-4000-8000-000000000000@localhost>",
  },
});

/**
 * The baseline: per alarm, take up to BATCH_SIZE due rows by the indexed next_at, insert a
 * message row and update the row for each, and re-arm 1 ms later while rows remain.
 */
export class BareLoop extends DurableObject<BenchEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS prospect (id TEXT PRIMARY KEY, status TEXT NOT NULL,
        stage_index INTEGER NOT NULL, next_at INTEGER, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS prospect_next_at ON prospect (next_at) WHERE next_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, person_id TEXT NOT NULL,
        status TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
  }

  private setMeta(key: string, value: number) {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  private getMeta(key: string): number | null {
    const row = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key);
    const found = row.toArray()[0];
    return found ? found.value : null;
  }

  /** Fresh rows, all due now; separate from go() so seeding is not part of the timed run. */
  async seed(n: number): Promise<number> {
    const rows = z.number().int().min(1).max(MAX_BARE_ROWS).parse(n);
    await this.ctx.storage.deleteAlarm();
    this.sql.exec("DELETE FROM prospect; DELETE FROM message; DELETE FROM meta;");
    const now = Date.now();
    const perStatement = Math.floor(100 / PROSPECT_COLUMNS);
    for (let i = 0; i < rows; i += perStatement) {
      const count = Math.min(perStatement, rows - i);
      const params: (string | number)[] = [];
      for (let j = 0; j < count; j++) params.push(`p${i + j}`, "active", 0, now, now);
      this.sql.exec(
        `INSERT INTO prospect (id, status, stage_index, next_at, updated_at) VALUES ${Array(count)
          .fill("(?, ?, ?, ?, ?)")
          .join(",")}`,
        ...params,
      );
    }
    return rows;
  }

  async go(): Promise<void> {
    this.setMeta("started", Date.now());
    await this.ctx.storage.setAlarm(Date.now() + 1);
  }

  async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM prospect WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
        now,
        BATCH_SIZE,
      )
      .toArray();
    for (const { id } of due) {
      this.sql.exec(
        "INSERT INTO message (id, person_id, status, payload, created_at) VALUES (?, ?, 'sent', ?, ?)",
        crypto.randomUUID(),
        id,
        PAYLOAD,
        now,
      );
      this.sql.exec(
        "UPDATE prospect SET status = 'complete', stage_index = 1, next_at = NULL, updated_at = ? WHERE id = ?",
        now,
        id,
      );
    }
    const more = this.sql.exec("SELECT 1 FROM prospect WHERE next_at IS NOT NULL LIMIT 1");
    if (more.toArray().length > 0) {
      await this.ctx.storage.setAlarm(Date.now() + 1);
      return;
    }
    // The clock only moves across I/O: wait for the last writes to be durable, then read it.
    await this.ctx.storage.sync();
    this.setMeta("finished", Date.now());
  }

  async status() {
    const count = (sql: string) => Number(this.sql.exec<{ n: number }>(sql).one().n);
    return {
      remaining: count("SELECT count(*) AS n FROM prospect WHERE next_at IS NOT NULL"),
      complete: count("SELECT count(*) AS n FROM prospect WHERE status = 'complete'"),
      messages: count("SELECT count(*) AS n FROM message"),
      distinctPeople: count("SELECT count(DISTINCT person_id) AS n FROM message"),
      startedAt: this.getMeta("started"),
      finishedAt: this.getMeta("finished"),
    };
  }
}

/**
 * (f)'s baseline: a bare partyserver room that broadcasts a frame it is handed to every
 * socket, with none of the campaign behind it.
 */
export class BareParty extends Server<BenchEnv> {
  static options = { hibernate: true };

  async send(frame: string): Promise<number> {
    this.broadcast(frame);
    return [...this.getConnections()].length;
  }
}

/** Upgrades a bench socket straight to a room (the Worker's session check is not measured). */
async function upgradeTo(
  stub: { fetch(request: Request): Promise<Response> },
  request: Request,
  room: string,
  party: string,
  userId: string,
) {
  const headers = new Headers(request.headers);
  headers.set("x-partykit-room", room);
  headers.set("x-partykit-namespace", party);
  headers.set("X-Beacon-User", userId);
  headers.set("X-Beacon-User-Name", "Bench");
  return stub.fetch(new Request(request, { headers }));
}

const LiveActSchema = z.object({
  campaignId: z.string().min(1),
  personId: z.string().min(1),
  action: z.enum(["pause", "unpause"]),
  userId: z.string().min(1),
});

const ReserveRunSchema = z.object({
  teamId: z.string().min(1),
  prefix: z.string().min(1),
  callers: z.number().int().min(1).max(200),
  calls: z.number().int().min(1).max(1_000),
  n: z.number().int().min(1).max(10_000),
});

/** As long as the engine's `<campaign uuid>:<batch uuid>:<mailbox id>`: the ledger keeps them all day. */
const reservationId = (prefix: string, caller: number, call: number) =>
  [`${prefix}-${caller}`, `${prefix}-${caller}-${call}`, "mailbox"]
    .map((part) => part.padStart(36, "0"))
    .join(":");

/**
 * `callers` concurrent callers, each with its own stub to the team's Account DO (as each
 * Campaign DO has), each making `calls` reserve() calls of `n` under distinct ids.
 */
async function reserveRun(env: BenchEnv, input: z.infer<typeof ReserveRunSchema>) {
  const granted = await Promise.all(
    Array.from({ length: input.callers }, async (_, caller) => {
      const account = await getServerByName(env.Account, input.teamId);
      const answers: number[] = [];
      for (let i = 0; i < input.calls; i++) {
        const answer = await account.reserve({
          reservationId: reservationId(input.prefix, caller, i),
          n: input.n,
          mailboxId: null,
          mailboxCap: null,
        });
        answers.push(answer.granted);
      }
      return answers;
    }),
  );
  return { granted };
}

async function bench(request: Request, env: BenchEnv, url: URL): Promise<Response> {
  const bare = () => env.BareLoop.get(env.BareLoop.idFromName("bare"));
  const route = `${request.method} ${url.pathname}`;
  switch (route) {
    case "POST /bench/bare/seed": {
      const { n } = z.object({ n: z.number() }).parse(await request.json());
      return Response.json({ seeded: await bare().seed(n) });
    }
    case "POST /bench/bare/go":
      await bare().go();
      return Response.json({ ok: true });
    case "GET /bench/bare/status":
      return Response.json(await bare().status());
    case "POST /bench/reserve":
      return Response.json(await reserveRun(env, ReserveRunSchema.parse(await request.json())));
    case "GET /bench/campaign-state": {
      // The Campaign DO's counters for the profile: SQLite statements, D1 queries.
      const id = z.string().min(1).parse(url.searchParams.get("id"));
      return Response.json(await (await getServerByName(env.Campaign, id)).alarmState());
    }
    case "GET /bench/ws/bare":
      return upgradeTo(
        await getServerByName(env.BareParty, "bare"),
        request,
        "bare",
        "bare-party",
        "bench",
      );
    case "GET /bench/ws/campaign": {
      const id = z.string().min(1).parse(url.searchParams.get("id"));
      const userId = z.string().min(1).parse(url.searchParams.get("userId"));
      return upgradeTo(await getServerByName(env.Campaign, id), request, id, "campaign", userId);
    }
    case "POST /bench/bare-party/broadcast": {
      const { frame } = z.object({ frame: z.string() }).parse(await request.json());
      return Response.json({
        sockets: await (await getServerByName(env.BareParty, "bare")).send(frame),
      });
    }
    case "POST /bench/live/act": {
      // A status change through the Campaign DO's own action (what the API calls).
      const a = LiveActSchema.parse(await request.json());
      const stub = await getServerByName(env.Campaign, a.campaignId);
      const result = await stub.act(
        { action: a.action, personIds: [a.personId] },
        { kind: "user", id: a.userId },
      );
      return Response.json({ ok: result.ok });
    }
    case "GET /bench/usage": {
      const teamId = z.string().min(1).parse(url.searchParams.get("teamId"));
      const usage = await (await getServerByName(env.Account, teamId)).usage();
      return Response.json({ sentToday: usage.sentToday, remaining: usage.remaining });
    }
    default:
      return Response.json({ error: `No bench route ${route}` }, { status: 404 });
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/bench/")) {
      try {
        return await bench(request, env, url);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return Response.json({ error: message }, { status: 500 });
      }
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
