import { clock } from "../../clock";
import { syntaxValidator } from "../../core/engine/validate";
import { config } from "../../env";
import { engineHooks } from "../../testing/hooks";
import { loadTeamTimeZone } from "../data";
import type { Peers } from "../peers";
import type { CampaignStore } from "../store";
import { emailTransport, smsTransport } from "../transports";
import type { PipelineContext } from "./context";

/**
 * The pipeline's context for one campaign, wired from the Worker's environment: D1, the
 * team's quota (Account DO), the transports and configuration. `crash` aborts the Durable
 * Object (the crash tests' injected faults); `peers` holds the instance's stubs.
 */
export async function pipelineContextFor(
  env: Env,
  store: CampaignStore,
  name: string,
  crash: () => void,
  peers: Peers,
): Promise<PipelineContext> {
  const teamId = store.def().teamId;
  const cfg = config(env);
  const account = await peers.accountOf(teamId);
  let teamTz: string | null = null;
  return {
    d1: env.DB,
    store,
    get def() {
      return store.def();
    },
    get teamTz() {
      if (teamTz === null) throw new Error("The team's time zone is used before it was read");
      return teamTz;
    },
    async teamTimeZone() {
      if (teamTz === null) {
        await engineHooks.beforeTeamTimeZone?.(name);
        teamTz ??= await loadTeamTimeZone(env.DB, teamId);
      }
      return teamTz;
    },
    knowTeamTimeZone(tz) {
      teamTz = tz;
    },
    now: () => clock.now(),
    quota: {
      reserve: (args) => account.reserve(args),
      release: (args) => account.release(args),
    },
    transport: (engineHooks.transport ?? ((t) => t))(
      await emailTransport(env, (name) => peers.pacerNamed(name)),
    ),
    sms: smsTransport(env),
    validate: syntaxValidator,
    publicUrl: cfg.PUBLIC_URL,
    inboundDomain: cfg.INBOUND_DOMAIN ?? null,
    secret: cfg.AUTH_SECRET,
    fault: engineHooks.fault ? (step) => engineHooks.fault?.(step, name, crash) : undefined,
  };
}
