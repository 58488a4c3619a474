import { getServerByName } from "partyserver";
import type { Account } from "../account";
import type { Pacer } from "../pacer";

type AccountStub = DurableObjectStub<Account>;
type PacerStub = DurableObjectStub<Pacer>;

/**
 * The objects a Campaign DO calls on every alarm and flush — its team's Account DO and a
 * provider key's Pacer — addressed once per instance instead of once per call:
 * partyserver's getServerByName makes a round trip (setName) before every stub it hands
 * out, three per alarm, which with 200 campaigns waking together queued behind each
 * other. Neither object needs setName (both are addressed by name, neither has onStart);
 * the first call still makes it. `forget()` drops them after a failure, so the next call
 * addresses them afresh.
 */
export class Peers {
  private account: { teamId: string; stub: Promise<AccountStub> } | null = null;
  private readonly pacers = new Map<string, Promise<PacerStub>>();

  constructor(private readonly env: Env) {}

  accountOf(teamId: string): Promise<AccountStub> {
    if (this.account?.teamId !== teamId) {
      const stub = getServerByName(this.env.Account, teamId);
      this.account = { teamId, stub };
      stub.catch(() => this.forget());
    }
    return this.account.stub;
  }

  pacerNamed(name: string): Promise<PacerStub> {
    let stub = this.pacers.get(name);
    if (!stub) {
      stub = getServerByName(this.env.Pacer, name);
      this.pacers.set(name, stub);
      stub.catch(() => this.forget());
    }
    return stub;
  }

  forget() {
    this.account = null;
    this.pacers.clear();
  }
}
