import {
  type Chrono,
  de,
  en,
  es,
  fr,
  it,
  ja,
  nl,
  type ParsedComponents,
  type Parser,
  type ParsingReference,
  pt,
  sv,
} from "chrono-node";
import { LANGS, type Lang, LEXICONS, type MarkerKind } from "./return-date-lexicon";

/** A month and day as stated; `year` only when the text gave one (or implied it: "tomorrow"). */
export type StatedDay = { year: number | null; month: number; day: number };

export type DateMention = {
  index: number;
  end: number;
  /** Readings in order of preference: two when "04/01" could be either way round. */
  readings: StatedDay[];
  /** Only a weekday was given ("back on Monday"). */
  weekdayOnly: boolean;
  /** The last day of a range ("1 to 5 December"). */
  rangeEnd: boolean;
  lang: Lang;
};

export type ClassifiedMention = DateMention & {
  kind: MarkerKind | "bare";
  /** The stated phrase: the date with the marker that gave it its meaning. */
  phrase: string;
};

/** "31.12." without a year: no chrono locale reads it, yet it is how German writes dates. */
const dayMonthDots: Parser = {
  pattern: () => /(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\d)/,
  extract: (_context, match) => {
    const day = Number(match[1]);
    const month = Number(match[2]);
    return day >= 1 && day <= 31 && month >= 1 && month <= 12 ? { day, month } : null;
  },
};

function withDayMonthDots(c: Chrono): Chrono {
  const copy = c.clone();
  copy.parsers.push(dayMonthDots);
  return copy;
}

const PARSERS: Record<Exclude<Lang, "en">, Chrono> & { enUS: Chrono; enGB: Chrono } = {
  enUS: withDayMonthDots(en.casual),
  enGB: withDayMonthDots(en.GB),
  de: withDayMonthDots(de.casual),
  fr: withDayMonthDots(fr.casual),
  es: withDayMonthDots(es.casual),
  pt: withDayMonthDots(pt.casual),
  nl: withDayMonthDots(nl.casual),
  it: withDayMonthDots(it.casual),
  sv: withDayMonthDots(sv.casual),
  ja: ja.casual,
};

const WORD_SETS = new Map(LANGS.map((l) => [l, new Set(LEXICONS[l].words.split(" "))]));

/**
 * The languages a text is written in, most likely first: Japanese when it has kana, then
 * those with at least two of their common words (bilingual auto-replies are common), else
 * the likeliest, else English.
 */
export function detectLanguages(text: string): Lang[] {
  const tokens = new Set(text.toLowerCase().match(/[\p{L}'’]+/gu) ?? []);
  const scores = new Map<Lang, number>();
  for (const lang of LANGS) {
    const words = WORD_SETS.get(lang)!;
    let score = 0;
    for (const t of tokens) if (words.has(t)) score++;
    scores.set(lang, score);
  }
  const ranked = LANGS.filter((l) => l !== "ja").sort((a, b) => scores.get(b)! - scores.get(a)!);
  const top = scores.get(ranked[0])!;
  const passing = ranked.filter((l) => scores.get(l)! >= 2 && scores.get(l)! * 3 >= top);
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return ["ja", ...passing];
  if (passing.length > 0) return passing;
  return top > 0 ? [ranked[0]] : ["en"];
}

/** Whether English numeric dates read month first ("12/31") for people in this zone. */
export function monthFirstZone(timeZone: string): boolean {
  return /^(America|US|Canada)\//.test(timeZone) || timeZone === "Pacific/Honolulu";
}

function reading(c: ParsedComponents): StatedDay {
  return {
    year: c.isCertain("year") ? c.get("year") : null,
    month: c.get("month")!,
    day: c.get("day")!,
  };
}

const hasDay = (c: ParsedComponents) => c.isCertain("day") || c.isCertain("weekday");

/** Every date stated in `text`, read by the parsers of `langs` (earlier ones win overlaps). */
export function findDates(
  text: string,
  langs: Lang[],
  ref: ParsingReference,
  monthFirst: boolean,
): DateMention[] {
  const found: DateMention[] = [];
  const overlaps = (m: { index: number; end: number }) =>
    found.some((f) => m.index < f.end && f.index < m.end);
  for (const lang of langs) {
    const primary = lang === "en" ? (monthFirst ? PARSERS.enUS : PARSERS.enGB) : PARSERS[lang];
    const other = lang === "en" ? (monthFirst ? PARSERS.enGB : PARSERS.enUS) : null;
    const others = other ? other.parse(text, ref, { forwardDate: true }) : [];
    for (const r of primary.parse(text, ref, { forwardDate: true })) {
      const last = r.end ?? r.start;
      if (!hasDay(last)) continue;
      const m = {
        index: r.index,
        end: r.index + r.text.length,
        readings: [reading(last)],
        weekdayOnly: !last.isCertain("day") && last.isCertain("weekday"),
        rangeEnd: Boolean(r.end),
        lang,
      };
      if (overlaps(m)) continue;
      const twin = others.find((o) => o.index === r.index && o.text === r.text);
      const alt = twin ? reading(twin.end ?? twin.start) : null;
      if (alt && (alt.month !== m.readings[0].month || alt.day !== m.readings[0].day)) {
        m.readings.push(alt);
      }
      found.push(m);
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

type Side = "before" | "after";
type Marker = { kind: MarkerKind; index: number; end: number };

const markerRegexes = new Map<string, RegExp>();

function markerRegex(lang: Lang, side: Side, kind: MarkerKind): RegExp | null {
  const key = `${lang}:${side}:${kind}`;
  let re = markerRegexes.get(key);
  if (!re) {
    const sources = LEXICONS[lang][side][kind];
    if (!sources) return null;
    // Longest first, so "bis zum" is found whole rather than as "bis".
    const alts = sources
      .split("|")
      .sort((a, b) => b.length - a.length)
      .join("|");
    // Japanese has no spaces between words: its markers need no word boundaries.
    re =
      lang === "ja"
        ? new RegExp(`(?:${alts})`, "gu")
        : new RegExp(`(?<![\\p{L}\\p{N}])(?:${alts})(?![\\p{L}])`, "giu");
    markerRegexes.set(key, re);
  }
  return re;
}

const KINDS: MarkerKind[] = ["back", "until", "start"];

function markersIn(text: string, from: number, to: number, langs: Lang[], side: Side): Marker[] {
  const window = text.slice(from, to);
  const found: Marker[] = [];
  for (const lang of langs) {
    for (const kind of KINDS) {
      const re = markerRegex(lang, side, kind);
      if (!re) continue;
      for (const m of window.matchAll(re)) {
        found.push({ kind, index: from + m.index, end: from + m.index + m[0].length });
      }
    }
  }
  return found;
}

// A sentence ends at ! ? 。, a blank line, or a full stop before a capital: "Jan. 5" and
// "t.o.m. 6" keep their dots.
const SENTENCE_END = /[!?。！？]|\n[^\S\n]*\n|\.(?=\s+\p{Lu})/gu;
// A marker written after a date belongs to it only up to the next clause.
const CLAUSE_END =
  /[!?。！？,;、，；]|\n[^\S\n]*\n|\.(?=\s+\p{Lu})|\s(?:and|but|und|aber|et|mais|y|pero|e|mas|en|maar|ma|och|men)\s/iu;

function sentenceStart(text: string, lo: number, hi: number): number {
  let at = lo;
  for (const m of text.slice(lo, hi).matchAll(SENTENCE_END)) at = lo + m.index + m[0].length;
  return at;
}

function clauseEnd(text: string, lo: number, hi: number): number {
  const m = CLAUSE_END.exec(text.slice(lo, hi));
  return m ? lo + m.index : hi;
}

const BEFORE_CHARS = 60;
const AFTER_CHARS = 50;

/** The marker ending nearest to the date after it; the longer one when two end together. */
function closest(markers: Marker[]): Marker | undefined {
  return markers.reduce<Marker | undefined>(
    (best, m) =>
      !best || m.end > best.end || (m.end === best.end && m.index < best.index) ? m : best,
    undefined,
  );
}

function kindOf(before: Marker[], after: Marker[]): { kind: MarkerKind | "bare"; by?: Marker } {
  const nearest = closest(before);
  if (nearest && nearest.kind !== "start") return { kind: nearest.kind, by: nearest };
  // "Wieder erreichbar ab 7.1.", "back in the office from 5 Jan": the return is what counts.
  const back =
    closest(before.filter((m) => m.kind === "back")) ?? after.find((m) => m.kind === "back");
  if (back) return { kind: "back", by: back };
  if (nearest) return { kind: "start", by: nearest };
  const until = after.find((m) => m.kind === "until");
  if (until) return { kind: "until", by: until };
  const start = after.find((m) => m.kind === "start");
  return start ? { kind: "start", by: start } : { kind: "bare" };
}

/** What each date means, from the words around it in the same sentence. */
export function classifyDates(
  text: string,
  mentions: DateMention[],
  langs: Lang[],
): ClassifiedMention[] {
  return mentions.map((m, i) => {
    const prevEnd = i > 0 ? mentions[i - 1].end : 0;
    const nextStart = i + 1 < mentions.length ? mentions[i + 1].index : text.length;
    const lo = sentenceStart(text, Math.max(prevEnd, m.index - BEFORE_CHARS), m.index);
    const hi = clauseEnd(text, m.end, Math.min(nextStart, m.end + AFTER_CHARS));
    const before = markersIn(text, lo, m.index, langs, "before");
    const { kind, by } = m.rangeEnd
      ? { kind: "until" as const, by: undefined }
      : kindOf(before, markersIn(text, m.end, hi, langs, "after"));
    // The phrase starts at the first of the markers that agree: "back in the office on 4 Jan".
    const agreeing = before.filter((b) => b.kind === kind).map((b) => b.index);
    const from = by && by.index < m.index ? Math.min(by.index, ...agreeing) : m.index;
    const to = by && by.end > m.end ? by.end : m.end;
    return { ...m, kind, phrase: text.slice(from, to).replace(/\s+/g, " ").trim() };
  });
}
