import { amazonSes, receivingSes } from "./mta-amazon";
import { domino, ezweb, gmx, kddi, notes, verizon, yahoo } from "./mta-carriers";
import type { MtaInput, MtaReader } from "./mta-common";
import { exim, mailRu } from "./mta-exim";
import {
  iMailServer,
  interScanMss,
  mailMarshal,
  mcafee,
  messageLabs,
  powerMta,
  x3,
  x5,
} from "./mta-gateways";
import { gSuite } from "./mta-google";
import { exchange2003, office365, outlook } from "./mta-microsoft";
import { sendmail, v5sendmail } from "./mta-sendmail";
import { apacheJames, courier, fml, openSmtpd } from "./mta-servers";
import { aol, facebook } from "./mta-social";
import { postfix, qmail } from "./mta-unix";

/** The MTA readers there are, by sisimai's module names. */
const IMPLEMENTED: Record<string, MtaReader> = {
  AmazonSES: amazonSes,
  Aol: aol,
  EZweb: ezweb,
  Facebook: facebook,
  MailMarshalSMTP: mailMarshal,
  ApacheJames: apacheJames,
  Courier: courier,
  GMX: gmx,
  OpenSMTPD: openSmtpd,
  FML: fml,
  MessageLabs: messageLabs,
  ReceivingSES: receivingSes,
  Sendmail: sendmail,
  V5sendmail: v5sendmail,
  Domino: domino,
  Exim: exim,
  MailRu: mailRu,
  Exchange2003: exchange2003,
  GSuite: gSuite,
  IMailServer: iMailServer,
  InterScanMSS: interScanMss,
  KDDI: kddi,
  McAfee: mcafee,
  Notes: notes,
  Office365: office365,
  Outlook: outlook,
  Postfix: postfix,
  PowerMTA: powerMta,
  Verizon: verizon,
  X3: x3,
  X5: x5,
  Yahoo: yahoo,
  qmail: qmail,
};

/** The order sisimai tries its MTA modules in when the subject says nothing (Sisimai::Order). */
const ORDER = [
  "MailRu",
  "Yandex",
  "Exim",
  "Sendmail",
  "Aol",
  "Office365",
  "Exchange2007",
  "Exchange2003",
  "AmazonWorkMail",
  "AmazonSES",
  "Barracuda",
  "InterScanMSS",
  "KDDI",
  "SurfControl",
  "Verizon",
  "ApacheJames",
  "X2",
  "X5",
  "FML",
  "Postfix",
  "GSuite",
  "Yahoo",
  "Outlook",
  "GMX",
  "MessagingServer",
  "EinsUndEins",
  "Domino",
  "Notes",
  "qmail",
  "Courier",
  "OpenSMTPD",
  "Zoho",
  "MessageLabs",
  "MXLogic",
  "MailFoundry",
  "McAfee",
  "V5sendmail",
  "mFILTER",
  "SendGrid",
  "ReceivingSES",
  "Amavis",
  "PowerMTA",
  "GoogleGroups",
  "Gmail",
  "EZweb",
  "IMailServer",
  "MailMarshalSMTP",
  "Activehunter",
  "Bigfoot",
  "Biglobe",
  "Facebook",
  "X4",
  "X1",
  "X3",
  "X6",
];

/** Modules to try first for a subject's first words (Sisimai::Order). */
const BY_SUBJECT: Record<string, string[]> = {
  "aws-notification": ["AmazonSES"],
  "delivery-failure": ["Domino", "X2"],
  "delivery-notification": ["MessagingServer"],
  "delivery-report": ["PowerMTA"],
  "delivery-status": [
    "GSuite",
    "Outlook",
    "GoogleGroups",
    "McAfee",
    "OpenSMTPD",
    "AmazonSES",
    "AmazonWorkMail",
    "ReceivingSES",
    "Gmail",
    "X3",
  ],
  "failed-delivery": ["X2"],
  "failure-delivery": ["X2"],
  "failure-notice": ["Yahoo", "qmail", "mFILTER", "Activehunter", "X4"],
  "loop-alert": ["FML"],
  "mail-could": ["InterScanMSS"],
  "mail-delivery": ["Exim", "MailRu", "GMX", "EinsUndEins", "Zoho", "MessageLabs", "MXLogic"],
  "mail-failure": ["Exim"],
  "mail-not": ["X4"],
  "mail-system": ["EZweb"],
  "message-delivery": ["MailFoundry"],
  "message-frozen": ["Exim"],
  "message-you": ["Barracuda"],
  "non-recapitabile": ["Exchange2007"],
  "non-remis": ["Exchange2007"],
  notice: ["Courier"],
  "permanent-delivery": ["X4"],
  "postmaster-notify": ["Sendmail"],
  "returned-mail": ["Sendmail", "Aol", "V5sendmail", "Bigfoot", "Biglobe", "X1"],
  "sorry-your": ["Facebook"],
  "there-was": ["X6"],
  undeliverable: ["Office365", "Exchange2007", "Aol", "Exchange2003"],
  "undeliverable-mail": ["Amavis", "MailMarshalSMTP", "IMailServer"],
  "undeliverable-message": ["Notes", "Verizon"],
  "undelivered-mail": ["Postfix", "Aol", "SendGrid", "Zoho"],
  warning: ["Sendmail", "Exim"],
};

/** "Undeliverable: Hello" → "undeliverable"; "Delivery Status Notification" → "delivery-status". */
export function subjectKey(subject: string): string {
  const cleaned = subject.replace(/[_[\] ]+/g, " ").replace(/^ +/, "");
  const words = cleaned.toLowerCase().split(" ", 3);
  const first =
    words[0].lastIndexOf(":") > 0
      ? (/^(.+?):/.exec(cleaned)?.[1] ?? "").toLowerCase()
      : words.slice(0, 2).join("-");
  return first.replace(/[:",*]/g, "");
}

const DEFAULT_READERS = ORDER.flatMap((name) => (IMPLEMENTED[name] ? [IMPLEMENTED[name]] : []));

/** The readers to try on a message, most likely first. */
export function readersFor(m: MtaInput): MtaReader[] {
  const first = (BY_SUBJECT[subjectKey(m.subject)] ?? []).flatMap((name) =>
    IMPLEMENTED[name] ? [IMPLEMENTED[name]] : [],
  );
  if (first.length === 0) return DEFAULT_READERS;
  return [...first, ...DEFAULT_READERS.filter((r) => !first.includes(r))];
}
