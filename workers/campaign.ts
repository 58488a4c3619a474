import { type Connection, type ConnectionContext, Server, type WSMessage } from "partyserver";
import { z } from "zod";
import {
  afterChange,
  alarmFor,
  type ChangeSource,
  type ChangeTarget,
} from "./campaign/after-change";
import { loadTeamTimeZone } from "./campaign/data";
import * as definition from "./campaign/definition";
import { applyDelivery, type DeliveryInput } from "./campaign/delivery";
import * as emailLog from "./campaign/email-log-actions";
import { enroll } from "./campaign/enrollment";
import type { Host } from "./campaign/host";
import { applyInbound, type InboundOutcome } from "./campaign/inbound";
import { answerMessage, closeUser, connectionState, presenceFrame, welcome } from "./campaign/live";
import { receive } from "./campaign/moves";
import { Peers } from "./campaign/peers";
import { runPipeline } from "./campaign/pipeline/run";
import { pipelineContextFor } from "./campaign/pipeline/wiring";
import { act, actChunk } from "./campaign/prospect-actions";
import * as reads from "./campaign/reads";
import { ActorSchema, type EnrollPerson, type IncomingPerson, PageKeySchema } from "./campaign/rpc";
import { type CampaignDef, CampaignStore, type PageKey, type Prospect } from "./campaign/store";
import { type ActorRef, applyDecision, syncWaiting, toState } from "./campaign/transitions";
import { clock, realTimeFor } from "./clock";
import { afterFailure } from "./core/engine/actions";
import type {
  CampaignInput,
  CampaignPatch,
  CampaignStatus,
  ProspectAction,
  ProspectFilter,
} from "./core/engine/schemas";
import { type Reason, ReasonSchema } from "./core/engine/statuses";
import { d1Totals, inInvocation } from "./db/limits";
import { campaignMetrics, noMetrics } from "./metrics/query";
import { engineHooks } from "./testing/hooks";

/**
 * One campaign: the source of truth for its definition, prospects, history and sends. A
 * shell of RPCs over one module per concern (definition, prospect actions, Email Log
 * actions, moves, reads, the pipeline, the live feed); every entry point validates,
 * writes, then broadcasts.
 */
export class Campaign extends Server<Env> {
  static options = { hibernate: true };

  private cachedStore: CampaignStore | null = null;
  /** Stubs of the Account DO and Pacer this object calls on every alarm. */
  private readonly peers = new Peers(this.env);
  /** When the D1 mirror was last flushed (after-change.ts gathers the alarm's flushes). */
  private readonly flushed = { at: 0 };
  private pipelineRunning = false;
  /** The definition version the team feed last heard (null: unknown, send the summary). */
  private publishedVersion: number | null = null;

  private get store(): CampaignStore {
    this.cachedStore ??= new CampaignStore(this.ctx.storage.sql);
    return this.cachedStore;
  }

  private host(): Host {
    const store = this.store;
    return {
      store,
      env: this.env,
      now: () => clock.now(),
      teamTimeZone: () => loadTeamTimeZone(this.env.DB, store.def().teamId),
      afterChange: (changed, removed) => this.afterChange(changed, removed),
      fault: async (step) => {
        await engineHooks.fault?.(step, this.name, () => this.ctx.abort("injected crash"));
      },
    };
  }

  // ── definition

  async create(args: { id: string; teamId: string; ownerId: string | null; input: CampaignInput }) {
    return this.run(() => definition.create(this.host(), args));
  }

  async update(patch: CampaignPatch, actor: ActorRef) {
    return this.run(() => definition.update(this.host(), patch, actor));
  }

  async setStatus(status: CampaignStatus, actor: ActorRef) {
    return this.run(() => definition.setStatus(this.host(), status, actor));
  }

  async view() {
    return this.run(async () => {
      const def = this.store.getDef();
      return def ? reads.campaignViewOf(def, this.store) : null;
    });
  }

  /** The definition, for duplicating (the caller makes a new campaign from it). */
  async definition(): Promise<CampaignDef | null> {
    return this.run(async () => this.store.getDef());
  }

  // ── prospects

  /**
   * Enrolls people at the first stage; someone already in this campaign is refused. The
   * caller may pass the team's time zone it has just read (else it is read here).
   */
  async enroll(people: EnrollPerson[], actor: ActorRef, teamTimeZone?: string) {
    return this.run(() => enroll(this.host(), people, actor, teamTimeZone));
  }

  async prospects(q: {
    filter: ProspectFilter;
    sort: reads.ProspectSort;
    cursor?: string;
    limit: number;
  }) {
    return this.run(async () => reads.prospectPage(this.store, q));
  }

  /** A single or bulk action of DESIGN.md §1: applied where allowed, refused with the reason elsewhere. */
  async act(input: ProspectAction, actor: ActorRef) {
    return this.run(() => act(this.host(), input, actor));
  }

  /** One chunk of a bulk action with `all: true` (prospect-actions.ts actChunk). */
  async actChunk(input: ProspectAction, actor: ActorRef, after: PageKey | null) {
    return this.run(() => actChunk(this.host(), input, actor, PageKeySchema.parse(after)));
  }

  /** The receiving side of add_to / move (idempotent by move id). */
  async receive(
    people: IncomingPerson[],
    actor: ActorRef,
    note: string,
    moveId: string | null = null,
  ) {
    return this.run(() => receive(this.host(), people, actor, note, moveId));
  }

  /** Removes people from the campaign (a person deleted from the team's database). */
  async removePeople(personIds: string[]) {
    return this.run(async () => {
      const def = this.store.def();
      const gone = this.store.prospects.getMany(z.array(z.string()).parse(personIds));
      for (const p of gone) {
        syncWaiting(this.store, def, p, null, clock.now(), "removed");
        this.store.prospects.delete(p.personId);
      }
      await this.afterChange(
        [],
        gone.map((p) => p.personId),
      );
      return gone.length;
    });
  }

  /**
   * Automatic outcomes from outside the pipeline (an unsubscribe, later bounces and
   * replies): applied where DESIGN.md §1's automatic moves allow, ignored elsewhere.
   */
  async applyOutcome(personIds: string[], reason: Reason, detail: string | null, actor: ActorRef) {
    return this.run(async () => {
      const parsed = z.array(z.string().min(1)).max(10_000).parse(personIds);
      const code = ReasonSchema.parse(reason);
      ActorSchema.parse(actor);
      const def = this.store.getDef();
      if (!def) return { applied: 0 };
      const now = clock.now();
      const changed: Prospect[] = [];
      for (const p of this.store.prospects.getMany(parsed)) {
        const d = afterFailure(toState(p), code, { detail: detail ?? undefined });
        const stored = applyDecision(this.store, def, p, d, actor, now, { reasonDetail: detail });
        if (stored) changed.push(stored);
      }
      await this.afterChange(changed);
      return { applied: changed.length };
    });
  }

  /** Mail that came back for one person (a reply, an out-of-office, a bounce, a complaint). */
  async applyInbound(input: InboundOutcome, actor: ActorRef) {
    return this.run(async () =>
      this.store.getDef()
        ? applyInbound(this.host(), input, actor)
        : { applied: false, status: null },
    );
  }

  /** A provider's delivery event (Resend's webhook) for one of this campaign's messages. */
  async applyDelivery(input: DeliveryInput, actor: ActorRef) {
    return this.run(async () =>
      this.store.getDef()
        ? applyDelivery(this.host(), input, actor)
        : { found: false, changed: false, status: null, prospect: null },
    );
  }

  // ── the Email Log's actions

  async cancelMessage(messageId: string, actor: ActorRef) {
    return this.run(() => emailLog.cancelMessage(this.host(), messageId, actor));
  }

  async retryMessage(messageId: string, bypassValidation: boolean, actor: ActorRef) {
    return this.run(() => emailLog.retryMessage(this.host(), messageId, bypassValidation, actor));
  }

  // ── reads

  async outreach(personId: string) {
    return this.run(async () => reads.outreach(this.store, personId));
  }

  async exportRows(filter: ProspectFilter) {
    return this.run(async () => reads.exportRows(this.store, filter));
  }

  /** The CSV export a page at a time (enrolment order): no call answers 100,000 rows. */
  async exportPage(filter: ProspectFilter, after: PageKey | null) {
    return this.run(async () => reads.exportPage(this.store, filter, PageKeySchema.parse(after)));
  }

  /** The campaign's engagement metrics, human only, read from D1's counters (workers/metrics/). */
  async metrics() {
    return this.run(async () => {
      const def = this.store.def();
      const m = await campaignMetrics(this.env, {
        teamId: def.teamId,
        campaignId: def.id,
        include: "human",
      });
      // Not in D1 yet (its first mirror write is pending): nothing has happened either.
      return m ?? noMetrics(def.id, def.name);
    });
  }

  // ── time

  async onAlarm() {
    await this.run(async () => {
      if (this.pipelineRunning) return;
      this.pipelineRunning = true;
      try {
        if (this.store.getDef()) {
          const crash = () => this.ctx.abort("injected crash");
          await runPipeline(
            await pipelineContextFor(this.env, this.store, this.name, crash, this.peers),
          );
        }
      } catch (error) {
        // Never let the alarm die: the platform drops it after 6 throws. Work stays in storage.
        console.warn("campaign alarm failed; re-armed", this.name, error);
        // A failed call may have broken a stub: the next alarm addresses its peers afresh.
        this.peers.forget();
      } finally {
        this.pipelineRunning = false;
      }
      // afterChange broadcasts every row changed since the last broadcast.
      await this.afterChange([], [], "alarm");
    });
  }

  /** The DO's storage, sockets and name, for the steps after a change. */
  private changeTarget(): ChangeTarget {
    return {
      env: this.env,
      store: this.store,
      name: this.name,
      watched: () => !this.getConnections()[Symbol.iterator]().next().done,
      broadcast: (frame) => this.broadcast(frame),
      peers: this.peers,
      flushed: this.flushed,
    };
  }

  /** Broadcasts, flushes the D1 mirror, publishes to the team feed, and re-arms the alarm. */
  private async afterChange(
    _changed: Prospect[],
    removed: string[] = [],
    source: ChangeSource = "call",
  ) {
    if (!this.store.getDef()) return;
    this.publishedVersion = await afterChange(
      this.changeTarget(),
      removed,
      this.publishedVersion,
      source,
    );
    await this.arm();
  }

  /** The alarm invariant: max(now + 1 ms, earliest deadline), or none when nothing is pending. */
  private async arm() {
    const at = alarmFor(this.store, clock.now());
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(Date.now() + 1, realTimeFor(at)));
  }

  /**
   * The housekeeping safety net's poke: re-arms the alarm from storage (idempotent; a
   * campaign with nothing pending stays without one). Answers the alarm time set, or null.
   */
  async poke(): Promise<{ alarmAt: number | null }> {
    return this.run(async () => {
      if (this.store.getDef()) await this.arm();
      return { alarmAt: await this.ctx.storage.getAlarm() };
    });
  }

  /** For tests and benches: the alarm's real time, the earliest due prospect, the outbox size. */
  async alarmState() {
    return this.run(async () => ({
      real: await this.ctx.storage.getAlarm(),
      earliestDue: this.store.prospects.earliestNextAt(),
      dirty: this.store.outbox.count(),
      // The profile (docs/perf): this DO's SQLite statements since it woke, and the
      // isolate's D1 queries and round trips through the limits wrapper.
      sqlStatements: this.store.sqlCounts.statements,
      d1: { ...d1Totals },
      // The size of this DO's SQLite database, in bytes.
      bytes: this.ctx.storage.sql.databaseSize,
    }));
  }

  /**
   * After an eviction or a crash the alarm may be gone (a crash mid-alarm consumes it):
   * whatever wakes the object first re-arms it from storage.
   */
  async onStart() {
    await this.run(async () => {
      if (this.store.getDef()) await this.arm();
    });
  }

  // ── live

  onConnect(connection: Connection, ctx: ConnectionContext) {
    // Hello and the catch-up from ?since= go out before any await: nothing slips between.
    const { mode } = welcome(this.store, this.name, connection, ctx.request);
    if (mode) this.broadcast(presenceFrame(this.getConnections(), Date.now()));
  }

  /** Someone who closes the page leaves the presence list at once. */
  onClose(connection: Connection) {
    if (connectionState(connection)?.mode) {
      this.broadcast(presenceFrame(this.getConnections(), Date.now(), connection.id), [
        connection.id,
      ]);
    }
  }

  /** Closes a user's live connections at once (removed from the team): they get nothing more. */
  async disconnectUser(userId: string): Promise<number> {
    return closeUser(this.getConnections(), z.string().min(1).parse(userId));
  }

  onMessage(connection: Connection, message: WSMessage) {
    answerMessage(
      this.store,
      connection,
      message,
      () => this.getConnections(),
      (frame) => this.broadcast(frame),
      Date.now(),
    );
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return inInvocation(fn);
  }
}
