import { describe, expect, it } from "vitest";
import { outOfOfficeResume } from "./return-date";

// Calendar used below (worked out by hand): Fri 18 Dec 2026, Mon 28 Dec, Thu 31 Dec,
// Fri 1 Jan 2027, Sat 2 Jan, Sun 3 Jan, Mon 4 Jan, Tue 5 Jan, Wed 6 Jan, Thu 7 Jan,
// Fri 8 Jan, Mon 11 Jan, Tue 12 Jan. 90 days after 18 Dec 2026 is 18 Mar 2027.
const FRIDAY = "2026-12-18T10:00:00Z";
const iso = (ms: number) => new Date(ms).toISOString();
/** An instant written with its zone's offset, as UTC. */
const local = (withOffset: string) => iso(Date.parse(withOffset));

function resume(
  text: string,
  timeZone: string,
  more: { subject?: string; received?: string } = {},
) {
  const r = outOfOfficeResume({
    text,
    subject: more.subject,
    receivedAt: Date.parse(more.received ?? FRIDAY),
    timeZone,
  });
  return { at: iso(r.resumeAt), stated: r.stated, phrase: r.phrase };
}

describe("outOfOfficeResume in English", () => {
  const LONDON = "Europe/London";

  it("resumes the business day after an 'until' date", () => {
    const r = resume("I am out of the office until Tuesday, 5 January.", LONDON);
    expect(r).toEqual({
      at: local("2027-01-06T08:00:00+00:00"),
      stated: true,
      phrase: "until Tuesday, 5 January",
    });
  });

  it("resumes on the Monday after an 'until' Friday", () => {
    expect(resume("Away until 8 January.", LONDON).at).toBe(local("2027-01-11T08:00:00+00:00"));
  });

  it("resumes on a 'back on' date itself", () => {
    const r = resume("I will be back in the office on January 4th.", LONDON);
    expect(r.at).toBe(local("2027-01-04T08:00:00+00:00"));
    expect(r.phrase).toBe("back in the office on January 4th");
  });

  it("reads an ISO date", () => {
    expect(resume("Returning 2027-01-05.", LONDON).at).toBe(local("2027-01-05T08:00:00+00:00"));
  });

  it("reads 04/01 day first outside the Americas", () => {
    expect(resume("Back 04/01.", LONDON).at).toBe(local("2027-01-04T08:00:00+00:00"));
  });

  it("reads 12/31 month first in the Americas", () => {
    // Thursday 31 Dec → Friday 1 Jan, 08:00 in New York (UTC−5).
    const r = resume("I'm out until 12/31.", "America/New_York");
    expect(r.at).toBe(local("2027-01-01T08:00:00-05:00"));
  });

  it("takes the other reading of 04/01 when the first is beyond 90 days", () => {
    // Month first, 1 April is 104 days ahead; day first, 4 January is in reach.
    const r = resume("Back 04/01.", "America/New_York");
    expect(r.at).toBe(local("2027-01-04T08:00:00-05:00"));
  });

  it("takes the end of a range", () => {
    // The last day away is Wednesday 30 December.
    const r = resume("I'm away from 21 to 30 December.", LONDON);
    expect(r.at).toBe(local("2026-12-31T08:00:00+00:00"));
  });

  it("takes the latest of several dates", () => {
    const text = "Out until 23 December, then back on 4 January after the holidays.";
    expect(resume(text, LONDON).at).toBe(local("2027-01-04T08:00:00+00:00"));
  });

  it("prefers a marked date to a later unmarked one", () => {
    const text = "Back Tuesday 1/5. Team meeting at 10:30am on 1/6.";
    expect(resume(text, "America/New_York").at).toBe(local("2027-01-05T08:00:00-05:00"));
  });

  it("takes an unmarked date as the last day away when it is the only one", () => {
    const text = "Out of office: 23 December. Merry Christmas!";
    expect(resume(text, LONDON).at).toBe(local("2026-12-24T08:00:00+00:00"));
  });

  it("ignores the first day away", () => {
    expect(resume("I am on leave from 21 December.", LONDON).stated).toBe(false);
  });

  it("takes a year-less date's next occurrence across new year", () => {
    const r = resume("Back on 4 January.", LONDON, { received: "2026-12-28T09:00:00Z" });
    expect(r.at).toBe(local("2027-01-04T08:00:00+00:00"));
  });

  it("reads a weekday as the next one", () => {
    expect(resume("Back on Monday.", LONDON).at).toBe(local("2026-12-21T08:00:00+00:00"));
  });

  it("reads 'back on Monday' written on a Monday as next week's", () => {
    const r = resume("Back on Monday.", LONDON, { received: "2026-12-28T09:00:00Z" });
    expect(r.at).toBe(local("2027-01-04T08:00:00+00:00"));
  });

  it("never resumes before the reply arrived", () => {
    const r = resume("I am back today.", LONDON);
    expect(r.at).toBe(local(FRIDAY));
  });

  it("ignores a date more than 90 days ahead", () => {
    const r = resume("I am on parental leave and back on 15 April 2027.", LONDON);
    expect(r).toEqual({ at: local("2026-12-25T10:00:00+00:00"), stated: false, phrase: null });
  });

  it("ignores a date in the past", () => {
    const r = resume("I was out until 10 December 2026.", LONDON);
    expect(r.stated).toBe(false);
  });

  it("pauses 7 days when no date is stated", () => {
    const r = resume(
      "Thank you for your email. I am out of the office with limited access.",
      LONDON,
    );
    expect(r).toEqual({ at: local("2026-12-25T10:00:00+00:00"), stated: false, phrase: null });
  });

  it("pauses the team's default when it is given", () => {
    const r = outOfOfficeResume({
      text: "Out of office.",
      receivedAt: Date.parse(FRIDAY),
      timeZone: LONDON,
      defaultDays: 3,
    });
    expect(iso(r.resumeAt)).toBe(local("2026-12-21T10:00:00+00:00"));
  });

  it("keeps the local time of the default pause across a DST change", () => {
    // Berlin moves to summer time on 28 March 2027.
    const r = outOfOfficeResume({
      text: "Nicht im Büro.",
      receivedAt: Date.parse("2027-03-25T10:00:00+01:00"),
      timeZone: "Europe/Berlin",
    });
    expect(iso(r.resumeAt)).toBe(local("2027-04-01T10:00:00+02:00"));
  });

  it("reads a return date from the subject", () => {
    const r = resume("Thank you for your message.", LONDON, {
      subject: "Out of office until 4 January",
    });
    expect(r.at).toBe(local("2027-01-05T08:00:00+00:00"));
  });

  it("ignores an unmarked date in the subject", () => {
    const r = resume("Thank you for your message.", LONDON, {
      subject: "Automatic reply: Call on 22 December",
    });
    expect(r.stated).toBe(false);
  });

  it("ignores dates in the quoted original", () => {
    const text = [
      "I am out of the office with limited access to email.",
      "",
      "On Thu, Dec 17, 2026 at 9:00 AM Bob Recruiter <bob@example.com> wrote:",
      "> Could we talk on January 20?",
    ].join("\n");
    expect(resume(text, LONDON).stated).toBe(false);
  });
});

describe("outOfOfficeResume in other languages", () => {
  it("German: bis 31.12. without a year", () => {
    const r = resume("Ich bin bis zum 31.12. nicht im Büro.", "Europe/Berlin");
    expect(r.at).toBe(local("2027-01-01T08:00:00+01:00"));
  });

  it("German: zurück am with a month name", () => {
    const r = resume("Ich bin im Urlaub und ab dem 4. Januar wieder zurück.", "Europe/Berlin");
    expect(r.at).toBe(local("2027-01-04T08:00:00+01:00"));
  });

  it("German: vom 21. bis 30. Dezember takes the end", () => {
    const r = resume("Ich bin vom 21. bis 30. Dezember im Urlaub.", "Europe/Berlin");
    expect(r.at).toBe(local("2026-12-31T08:00:00+01:00"));
  });

  it("German: bis 2.1. read on 28 December is next year's, and a Saturday", () => {
    const r = resume("Abwesend bis 2.1.", "Europe/Berlin", { received: "2026-12-28T09:00:00Z" });
    expect(r.at).toBe(local("2027-01-04T08:00:00+01:00"));
  });

  it("German: a date beyond 90 days is ignored", () => {
    const r = resume("Ich bin in Elternzeit bis zum 30. Juni 2027.", "Europe/Berlin");
    expect(r.stated).toBe(false);
  });

  it("French: jusqu'au a Sunday resumes Monday", () => {
    const r = resume("Je suis absent jusqu'au 3 janvier inclus.", "Europe/Paris");
    expect(r.at).toBe(local("2027-01-04T08:00:00+01:00"));
  });

  it("French: de retour le with an abbreviated month", () => {
    const r = resume("Je serai de retour le 5 janv. Merci de votre message.", "Europe/Paris");
    expect(r.at).toBe(local("2027-01-05T08:00:00+01:00"));
  });

  it("French: jusqu’au 31/12 read day first", () => {
    const r = resume("Je suis en congés jusqu’au 31/12.", "Europe/Paris");
    expect(r.at).toBe(local("2027-01-01T08:00:00+01:00"));
  });

  it("Spanish: hasta el 7 de enero", () => {
    const r = resume("Estoy fuera de la oficina hasta el 7 de enero.", "Europe/Madrid");
    expect(r.at).toBe(local("2027-01-08T08:00:00+01:00"));
  });

  it("Spanish: de vuelta el 11/01", () => {
    const r = resume("Estoy de vacaciones. Estaré de vuelta el 11/01.", "Europe/Madrid");
    expect(r.at).toBe(local("2027-01-11T08:00:00+01:00"));
  });

  it("Portuguese: estarei de volta em 5 de janeiro", () => {
    const r = resume("Estou de férias. Estarei de volta em 5 de janeiro.", "America/Sao_Paulo");
    expect(r.at).toBe(local("2027-01-05T08:00:00-03:00"));
  });

  it("Portuguese: até 08/01, a Friday", () => {
    const r = resume("Estou fora do escritório até 08/01.", "America/Sao_Paulo");
    expect(r.at).toBe(local("2027-01-11T08:00:00-03:00"));
  });

  it("Dutch: tot en met 6 januari", () => {
    const r = resume("Ik ben afwezig tot en met 6 januari.", "Europe/Amsterdam");
    expect(r.at).toBe(local("2027-01-07T08:00:00+01:00"));
  });

  it("Dutch: terug op 11-01-2027", () => {
    const r = resume("Ik ben met vakantie en terug op 11-01-2027.", "Europe/Amsterdam");
    expect(r.at).toBe(local("2027-01-11T08:00:00+01:00"));
  });

  it("Italian: fino al 6 gennaio", () => {
    const r = resume("Sono fuori ufficio fino al 6 gennaio.", "Europe/Rome");
    expect(r.at).toBe(local("2027-01-07T08:00:00+01:00"));
  });

  it("Italian: di ritorno lunedì 11 gen.", () => {
    const r = resume("Sono in ferie, sarò di ritorno lunedì 11 gen.", "Europe/Rome");
    expect(r.at).toBe(local("2027-01-11T08:00:00+01:00"));
  });

  it("Swedish: till och med 6 januari", () => {
    const r = resume("Jag är ledig till och med 6 januari.", "Europe/Stockholm");
    expect(r.at).toBe(local("2027-01-07T08:00:00+01:00"));
  });

  it("Swedish: t.o.m. 2027-01-08, a Friday", () => {
    const r = resume("Jag är på semester t.o.m. 2027-01-08.", "Europe/Stockholm");
    expect(r.at).toBe(local("2027-01-11T08:00:00+01:00"));
  });

  it("Swedish: tillbaka den 12 jan", () => {
    const r = resume("Jag är tillbaka den 12 jan. Tack för ditt meddelande.", "Europe/Stockholm");
    expect(r.at).toBe(local("2027-01-12T08:00:00+01:00"));
  });

  it("Japanese: 1月6日まで", () => {
    const r = resume("1月6日まで休暇をいただいております。", "Asia/Tokyo");
    expect(r.at).toBe(local("2027-01-07T08:00:00+09:00"));
  });

  it("Japanese: 1月12日に戻ります", () => {
    const r = resume("出張中のため、1月12日に戻ります。", "Asia/Tokyo");
    expect(r.at).toBe(local("2027-01-12T08:00:00+09:00"));
  });

  it("Japanese: 2027/1/8まで, a Friday", () => {
    const r = resume("2027/1/8まで不在にしております。", "Asia/Tokyo");
    expect(r.at).toBe(local("2027-01-11T08:00:00+09:00"));
  });

  it("Japanese and English in one reply: the latest of both", () => {
    const text = "1月6日まで休暇をいただいております。I am out of the office until 8 January.";
    expect(resume(text, "Asia/Tokyo").at).toBe(local("2027-01-11T08:00:00+09:00"));
  });

  it("a bilingual reply takes the latest date of both languages", () => {
    const text = [
      "Ich bin bis zum 4.1. nicht im Büro.",
      "I am out of the office until 5 January.",
    ].join("\n");
    expect(resume(text, "Europe/Berlin").at).toBe(local("2027-01-06T08:00:00+01:00"));
  });
});
