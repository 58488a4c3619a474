import type { FaultStep } from "../testing/hooks";
import type { CampaignStore, Prospect } from "./store";

/**
 * What the Campaign DO hands its modules: its storage, its bindings, the team's time zone
 * and the one way to finish a change (flush the mirror, broadcast, re-arm).
 */
export type Host = {
  store: CampaignStore;
  env: Env;
  now(): number;
  teamTimeZone(): Promise<string>;
  afterChange(changed: Prospect[], removed?: string[]): Promise<void>;
  /** Test-only: called at each step of a move so a test can throw or crash there. */
  fault(step: FaultStep): Promise<void>;
};
