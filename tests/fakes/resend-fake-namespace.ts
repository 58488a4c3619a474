// The state the fake Resend keeps for one API key: faults, counters, accepted emails,
// idempotency keys and domains. Keys never share state, so parallel test files are isolated.

import { randomBytes, randomUUID } from "node:crypto";
import { seededRandom } from "./loopback";
import type {
  FailStep,
  FakeConfig,
  FakeControl,
  FakeEmail,
  FakeStats,
  RandomFailureKind,
} from "./resend-fake-api";
import type { EmailDraft } from "./resend-fake-emails";

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type StoredAnswer = { status: number; body: unknown };

type IdempotencyEntry =
  | { state: "in_progress"; fingerprint: string; at: number }
  | { state: "done"; fingerprint: string; at: number; answer: StoredAnswer };

export type IdempotencyCheck =
  | { kind: "new" }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "concurrent" }
  | { kind: "mismatch" };

export type DomainStatus = "not_started" | "pending" | "verified" | "failed";

export type DomainRecord = {
  record: "SPF" | "DKIM";
  name: string;
  type: "MX" | "TXT";
  value: string;
  ttl: string;
  status: DomainStatus;
  priority?: number;
};

export type FakeDomain = {
  id: string;
  name: string;
  status: DomainStatus;
  created_at: string;
  region: "us-east-1";
  capabilities: { sending: "enabled"; receiving: "disabled" };
  records: DomainRecord[];
};

function randomFailure(kind: RandomFailureKind, timeoutMs: number): FailStep {
  switch (kind) {
    case "500":
      return { status: 500 };
    case "429":
      return { status: 429, retryAfter: 1 };
    case "timeout":
      return { timeoutMs };
    case "acceptThenFail":
      return { acceptThenFail: 500 };
  }
}

export class Namespace {
  config: FakeConfig = {
    rateLimitPerSecond: null,
    failNext: [],
    randomFailureRate: 0,
    seed: 1,
    randomFailureKinds: ["500", "429", "timeout"],
    randomTimeoutMs: 1000,
    failForever: false,
    rejectDomains: [],
    requireVerifiedDomains: false,
  };
  private random = seededRandom(1);
  private window = { second: Number.NaN, count: 0 };
  private idempotency = new Map<string, IdempotencyEntry>();
  private emails: FakeEmail[] = [];
  private byTo = new Map<string, number>();
  readonly domains = new Map<string, FakeDomain>();
  readonly counters = {
    requests: 0,
    sendRequests: 0,
    accepted: 0,
    idempotentReplays: 0,
    conflicts409: 0,
    rateLimited429: 0,
    failuresInjected: 0,
  };

  constructor(
    private readonly now: () => number,
    private readonly maxEmailsKept: number,
  ) {}

  /** Applies a parsed control body; fails without changing anything when a domain is unknown. */
  control(change: FakeControl): { ok: true } | { ok: false; message: string } {
    const byName = new Map([...this.domains.values()].map((d) => [d.name, d]));
    for (const field of ["verifyDomains", "failDomains"] as const) {
      const missing = change[field]?.find((name) => !byName.has(name));
      if (missing) return { ok: false, message: `${field}: no domain named ${missing}` };
    }
    for (const name of change.verifyDomains ?? []) setDomainStatus(byName.get(name)!, "verified");
    for (const name of change.failDomains ?? []) setDomainStatus(byName.get(name)!, "failed");
    const c = this.config;
    if (change.rateLimitPerSecond !== undefined) c.rateLimitPerSecond = change.rateLimitPerSecond;
    if (change.failNext) c.failNext = [...change.failNext];
    if (change.randomFailureRate !== undefined) c.randomFailureRate = change.randomFailureRate;
    if (change.randomFailureKinds) c.randomFailureKinds = [...change.randomFailureKinds];
    if (change.randomTimeoutMs !== undefined) c.randomTimeoutMs = change.randomTimeoutMs;
    if (change.failForever !== undefined) c.failForever = change.failForever;
    if (change.rejectDomains) c.rejectDomains = [...change.rejectDomains];
    if (change.requireVerifiedDomains !== undefined) {
      c.requireVerifiedDomains = change.requireVerifiedDomains;
    }
    if (change.seed !== undefined || change.randomFailureRate !== undefined) {
      c.seed = change.seed ?? c.seed;
      this.random = seededRandom(c.seed);
    }
    return { ok: true };
  }

  /** Counts the request against the current 1-second window; false when over the limit. */
  takeRateSlot(): boolean {
    const limit = this.config.rateLimitPerSecond;
    if (limit === null) return true;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    if (this.window.count >= limit) return false;
    this.window.count++;
    return true;
  }

  /** The fault for the next send request, if any: failForever, then the queue, then chance. */
  nextFault(): FailStep | null {
    const c = this.config;
    if (c.failForever) return { status: 500 };
    const scripted = c.failNext.shift();
    if (scripted) return scripted;
    if (c.randomFailureRate > 0 && this.random() < c.randomFailureRate) {
      const kinds = c.randomFailureKinds;
      const kind = kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0];
      return randomFailure(kind, c.randomTimeoutMs);
    }
    return null;
  }

  checkIdempotency(key: string, fingerprint: string): IdempotencyCheck {
    const entry = this.idempotency.get(key);
    if (entry && this.now() - entry.at > IDEMPOTENCY_TTL_MS) this.idempotency.delete(key);
    const live = this.idempotency.get(key);
    if (!live) return { kind: "new" };
    if (live.state === "in_progress") return { kind: "concurrent" };
    if (live.fingerprint !== fingerprint) return { kind: "mismatch" };
    return { kind: "replay", answer: live.answer };
  }

  beginIdempotent(key: string, fingerprint: string): void {
    this.idempotency.set(key, { state: "in_progress", fingerprint, at: this.now() });
  }

  /** Stores a success for replays; any other answer frees the key, as nothing was done. */
  finishIdempotent(key: string, fingerprint: string, answer: StoredAnswer): void {
    if (answer.status >= 200 && answer.status < 300) {
      this.idempotency.set(key, { state: "done", fingerprint, at: this.now(), answer });
    } else {
      this.idempotency.delete(key);
    }
  }

  accept(draft: EmailDraft, idempotencyKey: string | null, batchIndex: number | null): string {
    const email: FakeEmail = { id: randomUUID(), ...draft, idempotencyKey, batchIndex };
    this.counters.accepted++;
    for (const address of email.to) this.byTo.set(address, (this.byTo.get(address) ?? 0) + 1);
    this.emails.push(email);
    // Trim in chunks so a long run does not shift the array on every email.
    if (this.emails.length > this.maxEmailsKept * 1.25) {
      this.emails = this.emails.slice(-this.maxEmailsKept);
    }
    return email.id;
  }

  verifiedDomainNames(): Set<string> {
    return new Set(
      [...this.domains.values()].filter((d) => d.status === "verified").map((d) => d.name),
    );
  }

  addDomain(name: string): FakeDomain {
    const status: DomainStatus = "not_started";
    const dkim = randomBytes(24).toString("base64");
    const domain: FakeDomain = {
      id: randomUUID(),
      name,
      status,
      created_at: new Date(this.now()).toISOString(),
      region: "us-east-1",
      capabilities: { sending: "enabled", receiving: "disabled" },
      records: [
        {
          record: "SPF",
          name: "send",
          type: "MX",
          value: "feedback-smtp.us-east-1.amazonses.com",
          ttl: "Auto",
          status,
          priority: 10,
        },
        {
          record: "SPF",
          name: "send",
          type: "TXT",
          value: '"v=spf1 include:amazonses.com ~all"',
          ttl: "Auto",
          status,
        },
        {
          record: "DKIM",
          name: "resend._domainkey",
          type: "TXT",
          value: `p=${dkim}`,
          ttl: "Auto",
          status,
        },
      ],
    };
    this.domains.set(domain.id, domain);
    return domain;
  }

  stats(emailLimit: number | null): FakeStats {
    const kept = this.emails.slice(-this.maxEmailsKept);
    return {
      ...this.counters,
      byTo: Object.fromEntries(this.byTo),
      emails: emailLimit === null ? kept : emailLimit === 0 ? [] : kept.slice(-emailLimit),
    };
  }
}

export function setDomainStatus(domain: FakeDomain, status: DomainStatus): void {
  domain.status = status;
  for (const record of domain.records) record.status = status;
}
