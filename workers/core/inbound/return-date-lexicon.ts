/** Words that tell an out-of-office message's language and what a date in it means. */

export const LANGS = ["en", "de", "fr", "es", "pt", "nl", "it", "sv", "ja"] as const;
export type Lang = (typeof LANGS)[number];

/**
 * What a stated date is: the last day away ("until", "after"), the first day back, or the
 * first day away (ignored: it says nothing about the return).
 */
export type MarkerKind = "until" | "back" | "start";

/** Regex alternatives, "|"-separated, matched case-insensitively as whole words. */
type Markers = Partial<Record<MarkerKind, string>>;

export type Lexicon = {
  /** Common words of the language, space-separated, lower case. */
  words: string;
  /** Written before a date ("until 5 May"). */
  before: Markers;
  /** Written right after a date ("ab 7.1. wieder da", "1月6日まで"). */
  after: Markers;
};

// Either apostrophe: "jusqu'au", "jusqu’au".
const A = "['’]";

export const LEXICONS: Record<Lang, Lexicon> = {
  en: {
    words:
      "the and i am i'm office will be until back my you your please with out of leave " +
      "vacation holiday return limited access email urgent contact thank thanks regards",
    before: {
      until: "until|till|til|through|thru|up to and including|after",
      back: "back|return|returning|returns|available|reachable|in the office|resume|resuming",
      start: "from|since|starting|beginning",
    },
    after: { back: "back|again|returning" },
  },
  de: {
    words:
      "ich bin und der die das nicht im büro bis zum wieder zurück urlaub abwesend " +
      "erreichbar ihre nachricht mit vielen dank sie bitte dringenden fällen grüße",
    before: {
      until: "bis|bis zum|bis einschließlich|einschließlich|einschl\\.|inkl\\.|nach dem|nach",
      back: "zurück|wieder|rückkehr|erreichbar|im büro",
      start: "ab|ab dem|seit|vom",
    },
    after: { back: "wieder|zurück" },
  },
  fr: {
    words:
      "je suis le les et du jusqu'au jusqu’au bureau absent absente retour congés congé " +
      "votre vous merci serai urgence cordialement message pendant mon absence",
    before: {
      until: `jusqu${A}au|jusqu${A}à|après le|après`,
      back: "de retour|retour|reviendrai|rentrerai|disponible|joignable|au bureau",
      start: `à partir d${A}|à partir du|à partir de|depuis|dès le|dès`,
    },
    after: { back: "de retour|à nouveau" },
  },
  es: {
    words:
      "estoy el y fuera oficina hasta vuelta mensaje gracias su vacaciones estaré regreso " +
      "por del correo urgente saludos ausente disponible favor",
    before: {
      until: "hasta|después del|después de",
      back:
        "de vuelta|de regreso|regreso|regresaré|volveré|vuelvo|me reincorporo|" +
        "me reincorporaré|disponible|en la oficina",
      start: "desde|a partir del|a partir de",
    },
    after: { back: "de vuelta|de regreso" },
  },
  pt: {
    words:
      "estou fora escritório até volta mensagem obrigado obrigada férias estarei retorno " +
      "sua com não em do da urgente atenciosamente ausente você",
    before: {
      until: "até|até o|até ao|após|depois de|depois do",
      back: "de volta|volto|voltarei|retorno|retornarei|regresso|disponível|no escritório",
      start: "desde|a partir de|a partir do",
    },
    after: { back: "de volta" },
  },
  nl: {
    words:
      "ik ben het een en niet kantoor tot terug met afwezig vakantie bericht uw je op weer " +
      "aanwezig dringende groet vriendelijke bedankt",
    before: {
      until: "tot en met|t/m|tot|na",
      back: "terug|weer|aanwezig|bereikbaar|op kantoor",
      start: "vanaf|sinds|van",
    },
    after: { back: "weer|terug" },
  },
  it: {
    words:
      "sono di il fuori ufficio fino al ritorno messaggio grazie ferie sarò rientro non con " +
      "per saluti urgenza assente della mia",
    before: {
      until: `fino al|fino a|fino all${A}|fino alla|sino al|dopo il|dopo`,
      back: "di ritorno|ritorno|rientro|rientrerò|tornerò|torno|di nuovo|disponibile|in ufficio",
      start: "dal|a partire dal|a partire da|a decorrere dal",
    },
    after: { back: "di nuovo|di ritorno" },
  },
  sv: {
    words:
      "jag är och på inte kontoret tillbaka ledig semester meddelande din ditt tack åter med " +
      "vänliga hälsningar brådskande frånvarande mejl",
    before: {
      until: "till och med|t\\.o\\.m\\.|t\\.o\\.m|tom|till|efter",
      back: "tillbaka|åter|igen|på kontoret|nåbar|anträffbar",
      start: "från och med|fr\\.o\\.m\\.|från|sedan",
    },
    after: { back: "tillbaka|åter|igen" },
  },
  // Told apart by its script; its markers follow the date.
  ja: {
    words: "",
    before: {},
    after: {
      back: "戻ります|戻り|復帰|出社|出勤|再開|通常|以降|返信|対応",
      until: "まで",
      start: "から|より",
    },
  },
};
