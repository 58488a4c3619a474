import { header, type Mail } from "./message";

/**
 * Subject prefixes of automatic replies. Out-of-office ones also say why; the generic
 * ones ("Automatic reply") are out-of-office only when the body says so.
 */
const OUT_OF_OFFICE_SUBJECT = [
  "out of (?:the )?office",
  "out of office (?:reply|autoreply|auto reply)",
  "away from (?:the )?office",
  "on vacation",
  "vacation(?: reply| notice)?",
  "away",
  "abwesenheitsnotiz",
  "abwesend",
  "nicht im büro",
  "absence",
  "absent",
  "en vacances",
  "fuera de (?:la )?oficina",
  "ausente",
  "ausência",
  "fora do escritório",
  "afwezig",
  "afwezigheid",
  "niet aanwezig",
  "fuori sede",
  "fuori ufficio",
  "assente",
  "frånvaro",
  "frånvarande",
  "fraværende",
  "poissa",
  "不在",
  "外出",
  "休暇",
];
const AUTO_REPLY_SUBJECT = [
  "auto(?:matic|mated)?[- ]?(?:reply|response|answer)",
  "autoreply",
  "autoresponse",
  "auto(?:matic)?[- ]?respons",
  "auto",
  "automatische (?:antwort|rückantwort)",
  "réponse automatique",
  "reponse automatique",
  "respuesta automática",
  "respuesta automatica",
  "resposta automática",
  "resposta automatica",
  "automatisch antwoord",
  "risposta automatica",
  "automatiskt svar",
  "autosvar",
  "automatisk svar",
  "automaattinen vastaus",
  "odpowiedź automatyczna",
  "自動応答",
  "自動返信",
  "自动回复",
];

const prefix = (list: string[]) => new RegExp(`^(?:${list.join("|")})\\s*[:：]`, "i");
const OOO_PREFIX = prefix(OUT_OF_OFFICE_SUBJECT);
const AUTO_PREFIX = prefix(AUTO_REPLY_SUBJECT);
/** Japanese subjects often bracket the word instead of ending it with a colon. */
const BRACKETED =
  /^[【[［(（]\s*(自動応答|自動返信|不在(?:通知|のお知らせ)?|外出中?|休暇中?)\s*[】\]］)）]/;
/** Subjects that say out-of-office without a prefix ("Out of Office until May 5"). */
const OOO_SUBJECT_WORDS =
  /^(?:out of (?:the )?office|away until|on vacation until|abwesend bis)\b/i;

/** First-person out-of-office wording, as auto-replies open. */
const OUT_OF_OFFICE_BODY = new RegExp(
  [
    "\\bi(?: am|'m| will be| shall be) (?:currently |now )?(?:out of (?:the )?office|away from (?:the |my )?(?:office|desk|email)|on (?:annual |parental |maternity |sick )?(?:leave|vacation|holiday)|away (?:until|till|from)|out (?:until|till))",
    "\\b(?:i(?: am|'m)|will be) (?:back|returning|in the office) (?:on|from|in)\\b",
    "\\bi (?:will )?return (?:to the office )?on\\b",
    "\\bwith (?:limited|no) access to (?:my )?e-?mail",
    "\\bi am away on vacation\\b",
    "bin ich (?:nicht im büro|abwesend|im urlaub)",
    "\\bich bin\\b[^\\n]{0,60}?(?:nicht im büro|abwesend|im urlaub|außer haus)",
    "je suis (?:actuellement )?absente?",
    "je serai absente?",
    "estoy (?:actualmente )?fuera de la oficina",
    "estar[ée] fuera de la oficina",
    "estou (?:atualmente )?(?:fora do escritório|ausente|de férias)",
    "ik ben (?:momenteel |tot en met |niet )?(?:afwezig|op vakantie|niet aanwezig)",
    "sono (?:attualmente )?(?:fuori ufficio|assente|in ferie)",
    "jag är (?:ledig|borta|på semester|tjänstledig)",
    "不在にして",
    "休暇を(?:いただいて|取得)",
  ].join("|"),
  "i",
);

/** Quoted history: a person's reply carries it, an auto-reply usually does not. */
const QUOTED =
  /^(?:>|On .{0,200} wrote:$|Am .{0,200} schrieb|Le .{0,200} a écrit|El .{0,200} escribió|-{2,} ?(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)|From: .+\nSent: )/im;

/** RFC 3834 and vendor headers that mark a message as automatic. */
function automaticByHeaders(mail: Mail): boolean {
  const submitted = header(mail, "auto-submitted").trim().toLowerCase();
  if (submitted && !submitted.startsWith("no")) return true;
  if (mail.headers.has("x-autoreply") || mail.headers.has("x-autorespond")) return true;
  if (mail.headers.has("x-autoreply-from") || mail.headers.has("x-mail-autoreply")) return true;
  if (/^\s*(?:auto_reply|bulk|junk)\b/i.test(header(mail, "precedence"))) return true;
  if (/vacation/i.test(header(mail, "x-apple-action"))) return true;
  if (/autoresponder/i.test(header(mail, "x-post-messageclass"))) return true;
  // Exchange puts X-Auto-Response-Suppress on much ordinary mail; with its rules-loop
  // header it is an inbox rule's (out-of-office) answer.
  return (
    mail.headers.has("x-auto-response-suppress") &&
    mail.headers.has("x-ms-exchange-inbox-rules-loop")
  );
}

/** How an automatic reply is told apart, or null for mail that is not one. */
export type AutoReply = { outOfOffice: boolean };

/** Whether the body, above any quoted history, reads as an out-of-office notice. */
export function saysOutOfOffice(text: string): boolean {
  const quoted = QUOTED.exec(text);
  const own = (quoted ? text.slice(0, quoted.index) : text).slice(0, 1500);
  return OUT_OF_OFFICE_BODY.test(own.replace(/\s+/g, " "));
}

/**
 * An automatic reply (RFC 3834 headers, vendor headers, subject prefixes in a dozen
 * languages, out-of-office wording in a body with no quoted history), or null.
 */
export function autoReplyOf(mail: Mail): AutoReply | null {
  const subject = mail.subject;
  const oooSubject =
    OOO_PREFIX.test(subject) ||
    OOO_SUBJECT_WORDS.test(subject) ||
    /^[【[［(（]\s*(?:不在|外出|休暇)/.test(subject);
  const oooBody = saysOutOfOffice(mail.text);
  const outOfOffice = oooSubject || oooBody || /vacation/i.test(header(mail, "x-apple-action"));
  if (automaticByHeaders(mail)) return { outOfOffice };
  if (oooSubject || AUTO_PREFIX.test(subject) || BRACKETED.test(subject)) return { outOfOffice };
  // Wording alone: only when the message quotes nothing, as a person's reply would.
  if (oooBody && !QUOTED.test(mail.text)) return { outOfOffice: true };
  return null;
}
