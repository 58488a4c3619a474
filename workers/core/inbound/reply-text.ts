/** The new text of a human reply: the quoted history and the signature cut off. */

// "On <date>, <name> wrote:" as Gmail, Outlook and Apple Mail write it in each language.
const ATTRIBUTIONS = [
  /^On\s.+\swrote\s*:$/i,
  /^Am\s.+\sschrieb(\s.+)?:$/i,
  /^Le\s.+\sa\s+écrit\s*:$/i,
  /^El\s.+\sescribió\s*:$/i,
  /^Em\s.+\sescreveu\s*:$/i,
  /^Op\s.+\s(schreef(\s.+)?|het volgende geschreven)\s*:$/i,
  /^Il\s.+\sha\s+scritto\s*:$/i,
  /^(Den\s.+|\d.+)\sskrev(\s.+)?:$/i,
  /(書きました|のメール)\s*[:：]$/,
  // Gmail in Japanese and some other locales: "2026年11月16日(月) 10:00 Alice <a@example.com>:".
  /^\d.*<[^<>\s]+@[^<>\s]+>\s*[:：]$/,
];
// Gmail wraps a long attribution over two or three lines.
const ATTRIBUTION_LINES = 3;
const ATTRIBUTION_MAX_CHARS = 400;

// "-----Original Message-----", "---------- Forwarded message ---------", "----- Mensaje original -----".
const SEPARATOR = /^-{2,}\s*[^-\s][^-]*?\s*-{2,}$/;
const FORWARD_INTRO =
  /^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié)\s*:$/i;

// Outlook's header block, in the languages its UI is shown in.
const HEADER_FROM = /^\*?(From|Von|De|Van|Da|Från|Fra|差出人|送信者)\s*\*?\s*[:：]/i;
const HEADER_OTHER =
  /^\*?(Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado|Enviada|Fecha|Para|Asunto|Data|Assunto|Verzonden|Aan|Onderwerp|Inviato|A|Oggetto|Skickat|Till|Ämne|Kopia|送信日時|日付|宛先|件名)\s*\*?\s*[:：]/i;
const INLINE_SENT =
  /\s\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Data|Verzonden|Inviato|Skickat|送信日時)\s*\*?\s*[:：]/i;
const INLINE_SUBJECT =
  /\s\*?(Subject|Betreff|Objet|Asunto|Assunto|Onderwerp|Oggetto|Ämne|件名)\s*\*?\s*[:：]/i;
const HEADER_LOOKAHEAD = 6;
const RULE = /^(_{5,}|-{5,})$/;

const QUOTED = /^\s*>/;

const SIGNATURE_DELIMITER = /^(--|—|–)$/;
// "— Alice" as a sign-off, only believed near the end of the message.
const DASH_NAME = /^[—–]\s?\p{L}[\p{L} .'-]{0,40}$/u;
const DASH_NAME_MAX_LINES_AFTER = 4;
const MOBILE_SIGNATURES = [
  /^sent (from|with|via|using) /i,
  /^get outlook for /i,
  /^von meinem .+ gesendet\.?$/i,
  /^gesendet (von|mit|aus|vom) /i,
  /^envoyé (de|depuis|à partir de|avec) /i,
  /^enviado (desde|con|do|de|a partir d|com) /i,
  /^(verzonden|verstuurd) (vanaf|met|via|van) /i,
  /^inviato (da|dal|con) /i,
  /^skickat?s? (från|med) /i,
  /から送信(しました)?。?$/,
];
const MOBILE_MAX_CHARS = 80;

const clean = (line: string) => line.replace(/[\u00a0\u202f\t]/g, " ").trim();

type QuoteStart = { index: number; end: number };

function attributionAt(lines: string[], i: number): number {
  let joined = "";
  for (let k = 0; k < ATTRIBUTION_LINES && i + k < lines.length; k++) {
    const line = clean(lines[i + k]);
    if (line === "" || QUOTED.test(line)) return 0;
    joined = `${joined} ${line}`.trim();
    if (joined.length > ATTRIBUTION_MAX_CHARS) return 0;
    // A date or an address: "On Tuesday I wrote:" in the reply itself is not a header.
    if (/[\d@]/.test(joined) && ATTRIBUTIONS.some((re) => re.test(joined))) return k + 1;
  }
  return 0;
}

function headerBlockAt(lines: string[], i: number): number {
  const line = clean(lines[i]);
  if (!HEADER_FROM.test(line)) return 0;
  if (INLINE_SENT.test(line) && INLINE_SUBJECT.test(line)) return 1;
  // Values wrap (a long "To:" list), so the other headers need not follow at once.
  let others = 0;
  let end = i + 1;
  for (let j = i + 1; j < Math.min(lines.length, i + 1 + HEADER_LOOKAHEAD); j++) {
    if (HEADER_OTHER.test(clean(lines[j]))) {
      others++;
      end = j + 1;
    }
  }
  return others >= 2 ? end - i : 0;
}

/** Where the quoted history begins (and the header introducing it ends), if anywhere. */
function quoteStart(lines: string[]): QuoteStart | null {
  for (let i = 0; i < lines.length; i++) {
    const line = clean(lines[i]);
    if (SEPARATOR.test(line) || FORWARD_INTRO.test(line)) return { index: i, end: i + 1 };
    const attribution = attributionAt(lines, i);
    if (attribution > 0) return { index: i, end: i + attribution };
    const header = headerBlockAt(lines, i);
    if (header > 0) {
      let index = i;
      while (index > 0 && clean(lines[index - 1]) === "") index--;
      const ruled = index > 0 && RULE.test(clean(lines[index - 1]));
      return { index: ruled ? index - 1 : i, end: i + header };
    }
  }
  return null;
}

function signatureAt(lines: string[], i: number): boolean {
  const line = clean(lines[i]);
  if (SIGNATURE_DELIMITER.test(line)) return true;
  if (line.length <= MOBILE_MAX_CHARS && MOBILE_SIGNATURES.some((re) => re.test(line))) {
    return true;
  }
  if (DASH_NAME.test(line)) {
    const after = lines.slice(i + 1).filter((l) => clean(l) !== "").length;
    return after <= DASH_NAME_MAX_LINES_AFTER;
  }
  return false;
}

const joinTrimmed = (lines: string[]) =>
  lines
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n")
    .trim();

/** The lines without quoted ones and, when something is left before it, the signature. */
function ownText(lines: string[]): string {
  const unquoted = lines.filter((l) => !QUOTED.test(l));
  for (let i = 0; i < unquoted.length; i++) {
    if (!signatureAt(unquoted, i)) continue;
    const before = joinTrimmed(unquoted.slice(0, i));
    if (before !== "") return before;
  }
  return joinTrimmed(unquoted);
}

function extractLines(lines: string[]): string {
  const quote = quoteStart(lines);
  if (!quote) return ownText(lines);
  const above = ownText(lines.slice(0, quote.index));
  if (above !== "") return above;
  // Written below the quote (bottom-posting, or a reply between two quoted messages).
  return extractLines(lines.slice(quote.end));
}

/**
 * The new text of a reply without the quoted history or the signature; never empty while
 * the message has a line that is not quoted.
 */
export function extractReplyText(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const reply = extractLines(lines);
  if (reply !== "") return reply;
  return joinTrimmed(lines.filter((l) => !QUOTED.test(l)));
}
