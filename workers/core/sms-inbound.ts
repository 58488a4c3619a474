/**
 * Pure rules of an inbound SMS (Twilio's webhook): whether it opts out, how its sender's
 * number is looked up among profiles that keep numbers as typed, and which team, people
 * and campaigns it concerns.
 */
import { toE164 } from "./sms";

/**
 * Twilio's default opt-out keywords (REVOKE and OPTOUT since 2024). Twilio itself stops
 * our sender texting the number on any of them, so each must make the person Unsubscribed.
 */
export const SMS_STOP_KEYWORDS = [
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
] as const;

const STOP_WORDS: ReadonlySet<string> = new Set(SMS_STOP_KEYWORDS);

/** How many characters of a reply the prospect's history shows. */
export const REPLY_DETAIL_CHARS = 200;

export type InboundSmsKind = "stop" | "reply";

/**
 * The opt-out keyword a text is, upper-cased, or null. A keyword is the whole text: case, surrounding spaces and punctuation aside
 * ("Stop.", " QUIT! "); "stop texting me please" is a reply a recruiter reads.
 */
export function stopKeyword(body: string): string | null {
  const word = body.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "").toUpperCase();
  return STOP_WORDS.has(word) ? word : null;
}

/** A STOP keyword opts out; any other text is a reply. */
export function inboundSmsKind(body: string): InboundSmsKind {
  return stopKeyword(body) === null ? "reply" : "stop";
}

/** The prospect history's line for a reply: its first 200 characters. */
export function replyDetail(body: string): string {
  const chars = Array.from(body.trim());
  const shown = chars.slice(0, REPLY_DETAIL_CHARS).join("");
  return `SMS reply: ${shown}${chars.length > REPLY_DETAIL_CHARS ? "…" : ""}`;
}

/**
 * The forms an E.164 number takes in a profile once its separators (space ( ) . - /) are
 * removed, as the `digits` columns hold them: "+<digits>" or "00<digits>". Any other
 * number (no country code) could not have been texted. Empty for a sender that is not a
 * phone number (a short code, an alphanumeric sender id).
 */
export function numberSearchKeys(from: string): string[] {
  const e164 = toE164(from);
  if (!e164.ok) return [];
  return [e164.number, `00${e164.number.slice(1)}`];
}

/** An SMS of ours that went out (an Email Log row with channel 'sms'). */
export type TextedRow = {
  teamId: string;
  campaignId: string;
  personId: string;
  /** The number as the profile held it when the text went out. */
  to: string | null;
  sentAt: number;
};

/** A profile's phone number. */
export type PhoneRow = { teamId: string; personId: string; number: string };

export type InboundTarget = {
  teamId: string;
  personIds: string[];
  /** Campaigns of the team that texted the number. */
  campaignIds: string[];
  /** Also every campaign of the team the people are in (the mirror of memberships). */
  theirCampaigns: boolean;
};

export type InboundPlan =
  | { matched: true; kind: InboundSmsKind; targets: InboundTarget[] }
  | { matched: false; kind: InboundSmsKind; why: string };

const sameNumber = (raw: string | null, e164: string) => {
  if (raw === null) return false;
  const n = toE164(raw);
  return n.ok && n.number === e164;
};

const unique = (xs: string[]) => [...new Set(xs)].sort();

function groupByTeam<T extends { teamId: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.teamId, [...(out.get(r.teamId) ?? []), r]);
  return out;
}

/**
 * Who an inbound SMS concerns. Every team shares our one Twilio sender, so the teams that
 * texted the number decide: a STOP reaches each of them (Twilio now refuses the number to
 * all), a reply only the team that texted it last (it answers that text), and there the
 * people texted at that number, in the campaigns that texted them. When no campaign ever
 * texted the number, the profiles holding it decide: a STOP reaches every such team, a
 * reply only a single team's people (in their campaigns) — with several, it is not known
 * whom it was meant for, and no team is shown another's conversation. `texted` and
 * `phones` may hold rows of other numbers (looked up by a looser key): only the sender's
 * count.
 */
export function planInboundSms(input: {
  from: string;
  body: string;
  texted: TextedRow[];
  phones: PhoneRow[];
}): InboundPlan {
  const kind = inboundSmsKind(input.body);
  const from = toE164(input.from);
  if (!from.ok) return { matched: false, kind, why: "the sender is not a phone number" };
  const texted = input.texted.filter((r) => sameNumber(r.to, from.number));
  const phones = input.phones.filter((r) => sameNumber(r.number, from.number));
  const holders = groupByTeam(phones);
  const holdersOf = (teamId: string) => (holders.get(teamId) ?? []).map((r) => r.personId);

  if (texted.length > 0) {
    const byTeam = groupByTeam(texted);
    if (kind === "stop") {
      const targets = [...byTeam].map(([teamId, rows]) => ({
        teamId,
        personIds: unique([...rows.map((r) => r.personId), ...holdersOf(teamId)]),
        campaignIds: unique(rows.map((r) => r.campaignId)),
        theirCampaigns: true,
      }));
      return {
        matched: true,
        kind,
        targets: targets.sort((a, b) => a.teamId.localeCompare(b.teamId)),
      };
    }
    const last = texted.reduce((a, b) =>
      b.sentAt > a.sentAt || (b.sentAt === a.sentAt && b.teamId < a.teamId) ? b : a,
    );
    const rows = byTeam.get(last.teamId) ?? [];
    return {
      matched: true,
      kind,
      targets: [
        {
          teamId: last.teamId,
          personIds: unique(rows.map((r) => r.personId)),
          campaignIds: unique(rows.map((r) => r.campaignId)),
          theirCampaigns: false,
        },
      ],
    };
  }

  if (holders.size === 0) {
    return { matched: false, kind, why: "no campaign texted the number and no profile holds it" };
  }
  if (kind === "reply" && holders.size > 1) {
    return {
      matched: false,
      kind,
      why: `no campaign texted the number and ${holders.size} teams hold it: whose reply it is is unknown`,
    };
  }
  const targets = [...holders.keys()].sort().map((teamId) => ({
    teamId,
    personIds: unique(holdersOf(teamId)),
    campaignIds: [],
    theirCampaigns: true,
  }));
  return { matched: true, kind, targets };
}
