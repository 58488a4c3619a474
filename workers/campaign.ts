import {
  type Connection,
  type ConnectionContext,
  getServerByName,
  Server,
  type WSMessage,
} from "partyserver";
import { z } from "zod";
import { expectedAlarm } from "./campaign/alarm";
import { loadTeamTimeZone } from "./campaign/data";
import { admit } from "./campaign/enrollment";
import { flushMirror } from "./campaign/mirror";
import { runPipeline } from "./campaign/pipeline";
import { conflict, invalid, notFound, ok, type Result } from "./campaign/result";
import {
  ActorSchema,
  ActResultSchema,
  EnrollPeopleSchema,
  type EnrollPerson,
  IncomingPeopleSchema,
  type IncomingPerson,
} from "./campaign/rpc";
import {
  type CampaignDef,
  CampaignStore,
  type Prospect,
  type ProspectOrder,
} from "./campaign/store";
import {
  type ActorRef,
  actorLabel,
  applyDecision,
  syncWaiting,
  timingOf,
  toState,
} from "./campaign/transitions";
import { emailTransport, smsTransport } from "./campaign/transports";
import { syntaxValidator } from "./campaign/validate";
import { campaignView, messageRow, prospectRow } from "./campaign/views";
import { clock, realTimeFor } from "./clock";
import { afterFailure, decideAction, enrolledState, movedState } from "./core/engine/actions";
import { campaignMetrics } from "./core/engine/metrics";
import {
  type CampaignInput,
  CampaignInputSchema,
  type CampaignPatch,
  CampaignPatchSchema,
  type CampaignStatus,
  type ProspectAction,
  ProspectActionSchema,
  type ProspectFilter,
  withStageIds,
} from "./core/engine/schemas";
import { type Reason, ReasonSchema } from "./core/engine/statuses";
import { inInvocation } from "./db/limits";
import { config } from "./env";
import { engineHooks } from "./testing/hooks";

/** The Prospects list's sorts and the columns they order by. */
const SORT_COLUMNS: Record<"created" | "status" | "name" | "next", ProspectOrder> = {
  created: "enrolled_at",
  status: "status",
  name: "name",
  next: "next_at",
};

/** Actions refused while the prospect's current stage is already with the provider. */
const BLOCKED_WHILE_SENDING = new Set(["skip", "retry", "complete_task", "move"]);

/**
 * One campaign: the source of truth for its definition, prospects, history and sends.
 * Storage is the state; every entry point validates, writes, then broadcasts.
 */
export class Campaign extends Server<Env> {
  static options = { hibernate: true };

  private cachedStore: CampaignStore | null = null;
  private pipelineRunning = false;

  private get store(): CampaignStore {
    this.cachedStore ??= new CampaignStore(this.ctx.storage.sql);
    return this.cachedStore;
  }

  private requireDef(): CampaignDef {
    const def = this.store.getDef();
    if (!def) throw new Error(`Campaign ${this.name} does not exist`);
    return def;
  }

  // ── definition

  async create(args: {
    id: string;
    teamId: string;
    ownerId: string | null;
    input: CampaignInput;
  }): Promise<ReturnType<typeof campaignView>> {
    return this.run(async () => {
      const existing = this.store.getDef();
      if (existing) return campaignView(existing, this.store.statusCounts());
      const input = CampaignInputSchema.parse(args.input);
      const now = clock.now();
      const def: CampaignDef = {
        id: args.id,
        teamId: args.teamId,
        ownerId: args.ownerId,
        name: input.name,
        shared: input.shared,
        jobId: input.jobId ?? null,
        jobStage: input.jobStage ?? null,
        businessDaysOnly: input.businessDaysOnly,
        sendingWindow: input.sendingWindow,
        trackOpens: input.trackOpens,
        trackClicks: input.trackClicks,
        unsubscribeLink: input.unsubscribeLink,
        status: input.status,
        stages: withStageIds(input.stages, () => crypto.randomUUID()),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      this.store.saveDef(def);
      await this.afterChange([]);
      return campaignView(def, {});
    });
  }

  async view() {
    return this.run(async () => {
      const def = this.store.getDef();
      return def ? campaignView(def, this.store.statusCounts()) : null;
    });
  }

  async update(
    patchInput: CampaignPatch,
    actor: ActorRef,
  ): Promise<Result<ReturnType<typeof campaignView>>> {
    return this.run(async () => {
      const patch = CampaignPatchSchema.parse(patchInput);
      ActorSchema.parse(actor);
      const def = this.requireDef();
      if (patch.version !== def.version) {
        return conflict(
          `The campaign was changed since you read it (version ${patch.version}; now ${def.version}). Reload and edit again.`,
        );
      }
      let stages = def.stages;
      if (patch.stages) {
        stages = withStageIds(patch.stages, () => crypto.randomUUID());
        const kept = new Set(stages.map((s) => s.id));
        for (const [index, old] of def.stages.entries()) {
          if (kept.has(old.id)) continue;
          const live = this.store.liveProspectsAtOrBefore(index);
          if (live > 0) {
            return conflict(
              `Stage ${index + 1} cannot be deleted: ${live} prospect(s) not Complete or Unsubscribed are at or before it. Skip them past it first.`,
            );
          }
        }
      }
      const { version: _v, stages: _s, ...rest } = patch;
      const next: CampaignDef = {
        ...def,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        stages,
        version: def.version + 1,
        updatedAt: clock.now(),
      };
      this.store.saveDef(next);
      await this.afterChange([]);
      return ok(campaignView(next, this.store.statusCounts()));
    });
  }

  async setStatus(status: CampaignStatus, actor: ActorRef) {
    return this.run(async () => {
      ActorSchema.parse(actor);
      const def = this.requireDef();
      const next = { ...def, status, version: def.version + 1, updatedAt: clock.now() };
      this.store.saveDef(next);
      await this.afterChange([]);
      return campaignView(next, this.store.statusCounts());
    });
  }

  /** The definition, for duplicating (the caller makes a new campaign from it). */
  async definition(): Promise<CampaignDef | null> {
    return this.run(async () => this.store.getDef());
  }

  // ── prospects

  /** Enrolls people at the first stage; someone already in this campaign is refused. */
  async enroll(peopleInput: EnrollPerson[], actor: ActorRef) {
    return this.run(async () => {
      const people = EnrollPeopleSchema.parse(peopleInput);
      ActorSchema.parse(actor);
      const def = this.requireDef();
      const now = clock.now();
      const teamTz = await loadTeamTimeZone(this.env.DB, def.teamId);
      const arrivals = people.map((p) => ({
        ...p,
        state: enrolledState(def.stages, now, timingOf(def, p, teamTz)),
        history: [],
      }));
      const admitted = admit(this.store, def, arrivals, actor, now, null);
      const inserted = new Set(admitted.map((p) => p.personId));
      await this.afterChange(admitted);
      return {
        enrolled: [...inserted],
        refused: people
          .filter((p) => !inserted.has(p.personId))
          .map((p) => ({ personId: p.personId, reason: "already_enrolled" })),
      };
    });
  }

  async prospects(q: {
    filter: ProspectFilter;
    sort: "created" | "status" | "name" | "next";
    cursor?: string;
    limit: number;
  }) {
    return this.run(async () => {
      const def = this.requireDef();
      const column = SORT_COLUMNS[q.sort];
      let afterKey: [string | number, string] | undefined;
      if (q.cursor) {
        const parsed = z
          .tuple([z.union([z.string(), z.number()]), z.string()])
          .safeParse(JSON.parse(atob(q.cursor)));
        if (!parsed.success) return invalid("The cursor is not one this list gave out");
        afterKey = parsed.data;
      }
      const rows = this.store.listProspects({
        ...q.filter,
        orderBy: column,
        afterKey,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const key = (p: Prospect) =>
        ({ created: p.enrolledAt, status: p.status, name: p.name, next: p.nextAt ?? 0 })[q.sort];
      return ok({
        items: page.map((p) => prospectRow(p, def)),
        nextCursor:
          rows.length > q.limit && last
            ? btoa(JSON.stringify([key(last), last.personId]))
            : undefined,
      });
    });
  }

  /** A single or bulk action of DESIGN.md §1: applied where allowed, refused with the reason elsewhere. */
  async act(input: ProspectAction, actor: ActorRef) {
    return this.run(async () => {
      const action = ProspectActionSchema.parse(input);
      ActorSchema.parse(actor);
      const def = this.requireDef();
      const now = clock.now();
      const teamTz = await loadTeamTimeZone(this.env.DB, def.teamId);
      if (action.action === "move" && action.moveId) {
        // Idempotent by move id: a repeat answers what the first did and moves nobody.
        const done = this.store.getMove(action.moveId);
        if (done) return ok(ActResultSchema.parse(JSON.parse(done)));
      }
      const ids = action.personIds ?? this.store.prospectIds(action.filters ?? {});
      const found = new Map(this.store.getProspects(ids).map((p) => [p.personId, p]));
      const applied: string[] = [];
      const refused: { personId: string; reason: string }[] = [];
      const changed: Prospect[] = [];
      const leaving: Prospect[] = [];
      const transferring: Prospect[] = [];
      for (const id of ids) {
        const p = found.get(id);
        if (!p) {
          refused.push({ personId: id, reason: "not_found" });
          continue;
        }
        if (BLOCKED_WHILE_SENDING.has(action.action) && this.isSending(p)) {
          refused.push({
            personId: id,
            reason: "Already sending: the current stage is with the email provider",
          });
          continue;
        }
        const d = decideAction(
          toState(p),
          action.action,
          def.stages,
          now,
          timingOf(def, p, teamTz),
        );
        if (!d.ok) {
          refused.push({ personId: id, reason: d.reason });
          continue;
        }
        if (action.action === "remove") {
          applied.push(id);
          leaving.push(p);
          continue;
        }
        if (action.action === "move" || action.action === "add_to") {
          transferring.push(p);
          continue;
        }
        const stored = applyDecision(this.store, def, p, d, actor, now, {
          bypassValidation:
            action.action === "retry" ? (action.bypassValidation ?? false) : p.bypassValidation,
        });
        if (stored) {
          changed.push(stored);
          applied.push(id);
        }
      }
      if (transferring.length > 0) {
        const moved = await this.transfer(action, actor, transferring);
        if (!moved.ok) return moved;
        const enrolled = new Set(moved.value);
        for (const p of transferring) {
          if (!enrolled.has(p.personId)) {
            refused.push({ personId: p.personId, reason: "already_enrolled" });
            continue;
          }
          applied.push(p.personId);
          if (action.action === "move") leaving.push(p);
        }
      }
      for (const p of leaving) {
        // Re-read: the transfer awaited another object, and this one may have moved on.
        const current = this.store.getProspect(p.personId);
        if (!current) continue;
        const open = this.store.openMessage(current.personId, current.stageIndex);
        if (open) {
          this.store.putMessage({
            ...open,
            status: "canceled",
            reason: action.action === "move" ? "moved" : "removed",
          });
        }
        this.store.addHistory({
          personId: current.personId,
          at: now,
          actor: actorLabel(actor),
          action: action.action,
          fromStatus: current.status,
          toStatus: null,
          reason: null,
          detail: action.toCampaignId ?? null,
        });
        this.store.deleteProspect(current.personId);
      }
      const result = { applied, refused };
      if (action.action === "move" && action.moveId) {
        this.store.putMove(action.moveId, JSON.stringify(result));
      }
      await this.afterChange(
        changed,
        leaving.map((p) => p.personId),
      );
      return ok(result);
    });
  }

  /**
   * add_to / move: enrolls the people in another campaign of the same team (a move brings
   * their history). Returns who was enrolled; someone already there is not.
   */
  private async transfer(
    action: ProspectAction,
    actor: ActorRef,
    people: Prospect[],
  ): Promise<Result<string[]>> {
    const def = this.requireDef();
    const targetId = action.toCampaignId as string;
    if (targetId === def.id) return invalid("Choose another campaign than this one");
    const target = await getServerByName(this.env.Campaign, targetId);
    if ((await target.definition())?.teamId !== def.teamId) {
      return invalid("The other campaign does not exist in this team");
    }
    const moving = action.action === "move";
    const answer = await target.receive(
      people.map((p) => ({
        personId: p.personId,
        name: p.name,
        timeZone: p.timeZone,
        keep:
          moving && (p.status === "complete" || p.status === "unsubscribed")
            ? { status: p.status, reason: p.reason }
            : null,
        history: moving ? this.store.history(p.personId) : [],
      })),
      actor,
      moving ? `moved from ${def.id}` : `added from ${def.id}`,
    );
    return ok(answer.enrolled);
  }

  /** The receiving side of add_to / move: enrolls who is not here yet, with their history. */
  async receive(people: IncomingPerson[], actor: ActorRef, note: string) {
    return this.run(async () => {
      const parsed = IncomingPeopleSchema.parse(people);
      ActorSchema.parse(actor);
      const def = this.requireDef();
      const now = clock.now();
      const teamTz = await loadTeamTimeZone(this.env.DB, def.teamId);
      const arrivals = parsed.map((p) => {
        const timing = timingOf(def, p, teamTz);
        const fresh = enrolledState(def.stages, now, timing);
        const state = p.keep ? movedState({ ...fresh, ...p.keep }, def.stages, now, timing) : fresh;
        return { ...p, state };
      });
      const admitted = admit(this.store, def, arrivals, actor, now, note);
      await this.afterChange(admitted);
      return { enrolled: admitted.map((p) => p.personId) };
    });
  }

  private isSending(p: Prospect): boolean {
    return this.store
      .messagesOf(p.personId)
      .some((m) => m.status === "sending" && m.stageIndex === p.stageIndex);
  }

  /** Removes people from the campaign (a person deleted from the team's database). */
  async removePeople(personIds: string[]) {
    return this.run(async () => {
      const def = this.requireDef();
      const gone = this.store.getProspects(personIds);
      for (const p of gone) {
        syncWaiting(this.store, def, p, null, clock.now(), "removed");
        this.store.deleteProspect(p.personId);
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
      for (const p of this.store.getProspects(parsed)) {
        const d = afterFailure(toState(p), code, { detail: detail ?? undefined });
        const stored = applyDecision(this.store, def, p, d, actor, now, { reasonDetail: detail });
        if (stored) changed.push(stored);
      }
      await this.afterChange(changed);
      return { applied: changed.length };
    });
  }

  // ── the Email Log's actions

  /** The red X: a Waiting message becomes Canceled and its prospect Not Delivered (`canceled`). */
  async cancelMessage(
    messageId: string,
    actor: ActorRef,
  ): Promise<Result<ReturnType<typeof messageRow>>> {
    return this.run(async () => {
      const def = this.requireDef();
      const m = this.store.getMessage(messageId);
      if (!m) return notFound("No such message");
      if (m.status === "sending")
        return conflict(
          "Already sending: this message is with the email provider and cannot be canceled",
        );
      if (m.status !== "waiting")
        return conflict(`Only a Waiting message can be canceled; this one is ${m.status}`);
      const p = this.store.getProspect(m.personId);
      const now = clock.now();
      if (p?.status !== "active" || p.stageIndex !== m.stageIndex) {
        this.store.putMessage({ ...m, status: "canceled", reason: "canceled" });
      } else {
        const d = afterFailure(toState(p), "canceled", { detail: "Canceled in the Email Log" });
        const stored = applyDecision(this.store, def, p, d, actor, now);
        if (stored) await this.afterChange([stored]);
      }
      const updated = this.store.getMessage(messageId);
      await this.afterChange([]);
      return ok(messageRow(updated ?? m, def));
    });
  }

  /** Retry from the Email Log: the prospect's retry action (optionally bypassing validation). */
  async retryMessage(messageId: string, bypassValidation: boolean, actor: ActorRef) {
    return this.run(async () => {
      const m = this.store.getMessage(messageId);
      if (!m) return notFound("No such message");
      const result = await this.act(
        { action: "retry", personIds: [m.personId], bypassValidation },
        actor,
      );
      if (!result.ok) return result;
      const refusal = result.value.refused[0];
      if (refusal) {
        return conflict(
          refusal.reason === "not_found"
            ? "This person is no longer in the campaign, so the message cannot be retried"
            : refusal.reason,
        );
      }
      const def = this.requireDef();
      const latest =
        this.store
          .messagesOf(m.personId)
          .filter((x) => x.stageIndex === m.stageIndex)
          .pop() ?? m;
      return ok(messageRow(latest, def));
    });
  }

  /** One person's place in this campaign, with history and messages (the profile's Outreach section). */
  async outreach(personId: string) {
    return this.run(async () => {
      const def = this.store.getDef();
      const p = this.store.getProspect(personId);
      if (!def || !p) return null;
      return {
        campaign: { id: def.id, name: def.name, status: def.status },
        prospect: prospectRow(p, def),
        history: this.store.history(personId),
        messages: this.store.messagesOf(personId).map((m) => messageRow(m, def)),
      };
    });
  }

  async exportRows(filter: ProspectFilter) {
    return this.run(async () => {
      const def = this.requireDef();
      const ids = this.store.prospectIds(filter);
      return this.store.getProspects(ids).map((p) => prospectRow(p, def));
    });
  }

  /** Opens, clicks, downloads and replies per stage and in total (DESIGN.md "Metrics"). */
  async metrics() {
    return this.run(async () => {
      const def = this.requireDef();
      const total = Object.values(this.store.statusCounts()).reduce((a, b) => a + b, 0);
      return campaignMetrics(this.store.engagement(), total, def.stages.length);
    });
  }

  // ── time

  async onAlarm() {
    await this.run(async () => {
      if (this.pipelineRunning) return;
      this.pipelineRunning = true;
      try {
        const def = this.store.getDef();
        if (!def) return;
        const cfg = config(this.env);
        const account = await getServerByName(this.env.Account, def.teamId);
        await runPipeline({
          d1: this.env.DB,
          store: this.store,
          def,
          teamTz: await loadTeamTimeZone(this.env.DB, def.teamId),
          now: () => clock.now(),
          quota: {
            reserve: (args) => account.reserve(args),
            release: (args) => account.release(args),
          },
          transport: (engineHooks.transport ?? ((t) => t))(await emailTransport(this.env)),
          sms: smsTransport(this.env),
          validate: syntaxValidator,
          publicUrl: cfg.PUBLIC_URL,
          inboundDomain: cfg.INBOUND_DOMAIN ?? null,
          secret: cfg.AUTH_SECRET,
          fault: engineHooks.fault
            ? (step) => engineHooks.fault?.(step, def.id, () => this.ctx.abort("injected crash"))
            : undefined,
        });
      } catch (error) {
        // Never let the alarm die: the platform drops it after 6 throws. Work stays in storage.
        console.warn("campaign alarm failed; re-armed", this.name, error);
      } finally {
        this.pipelineRunning = false;
      }
      await this.afterChange(this.store.prospectsChangedSince(this.lastBroadcastRev(), 500));
    });
  }

  /** Flushes the D1 mirror, broadcasts, and re-arms the alarm to the earliest deadline. */
  private async afterChange(changed: Prospect[], removed: string[] = []) {
    const def = this.store.getDef();
    if (!def) return;
    if (changed.length > 0 || removed.length > 0) {
      this.broadcast(
        JSON.stringify({
          type: "prospects",
          rev: this.store.currentRev(),
          rows: changed.map((p) => prospectRow(p, def)),
          removed,
        }),
      );
    }
    this.store.setNumber("broadcast_rev", this.store.currentRev());
    try {
      engineHooks.beforeMirrorWrite?.(def.id);
      await flushMirror(this.env.DB, this.store);
      this.store.setNumber("outbox_retry_at", null);
      this.store.setNumber("outbox_attempts", null);
    } catch (error) {
      const attempts = (this.store.getNumber("outbox_attempts") ?? 0) + 1;
      this.store.setNumber("outbox_attempts", attempts);
      this.store.setNumber("outbox_retry_at", clock.now() + Math.min(60_000, 500 * 2 ** attempts));
      console.warn("D1 mirror write failed; kept in the outbox", this.name, error);
    }
    await this.arm();
  }

  private lastBroadcastRev(): number {
    return this.store.getNumber("broadcast_rev") ?? 0;
  }

  /** The alarm invariant: max(now + 1 ms, earliest deadline), or none when nothing is pending. */
  private async arm() {
    const def = this.store.getDef();
    const now = clock.now();
    const at = expectedAlarm({
      active: def?.status === "active",
      now,
      earliestDue: this.store.earliestNextAt(),
      outboxPending: this.store.dirtyCount() > 0,
      outboxRetryAt: this.store.getNumber("outbox_retry_at"),
      providerRetryAt: this.store.earliestRetryAt(now),
      openReservations: this.store.openReservations().length > 0,
    });
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(Date.now() + 1, realTimeFor(at)));
  }

  /** For tests and benches: the alarm time on the engine's clock, or null. */
  async alarmState() {
    return this.run(async () => {
      const real = await this.ctx.storage.getAlarm();
      return { real, earliestDue: this.store.earliestNextAt(), dirty: this.store.dirtyCount() };
    });
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

  onConnect(connection: Connection, _ctx: ConnectionContext) {
    const def = this.store.getDef();
    connection.send(
      JSON.stringify({
        type: "hello",
        campaignId: this.name,
        rev: this.store.currentRev(),
        status: def?.status ?? null,
      }),
    );
  }

  onMessage(connection: Connection, message: WSMessage) {
    const parsed = z
      .object({ type: z.literal("sync"), since: z.number().int().min(0) })
      .safeParse(typeof message === "string" ? safeJson(message) : null);
    if (!parsed.success) {
      connection.send(
        JSON.stringify({ type: "error", message: "Send {type:'sync', since:<rev>}" }),
      );
      return;
    }
    const def = this.store.getDef();
    if (!def) return;
    const rows = this.store.prospectsChangedSince(parsed.data.since, 1_000);
    connection.send(
      JSON.stringify({
        type: "prospects",
        rev: rows.length === 1_000 ? rows[rows.length - 1].rev : this.store.currentRev(),
        rows: rows.map((p) => prospectRow(p, def)),
        removed: [],
        more: rows.length === 1_000,
      }),
    );
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return inInvocation(fn);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
