import { describe, expect, it } from "vitest";
import { extractReplyText } from "./reply-text";

const lines = (...ls: string[]) => ls.join("\n");

describe("extractReplyText: Gmail", () => {
  it("cuts at 'On … wrote:'", () => {
    const text = lines(
      "Sounds good, Tuesday works.",
      "",
      "On Mon, Nov 16, 2026 at 10:00 AM Alice Example <alice@example.com> wrote:",
      "",
      "> Can we talk about the role?",
      "> Alice",
    );
    expect(extractReplyText(text)).toBe("Sounds good, Tuesday works.");
  });

  it("cuts at an attribution wrapped over two lines", () => {
    const text = lines(
      "Yes, I'm interested.",
      "",
      "On Mon, Nov 16, 2026 at 10:00 AM Alice Example from Acme Recruiting <",
      "alice@example.com> wrote:",
      "> Hi Bob",
    );
    expect(extractReplyText(text)).toBe("Yes, I'm interested.");
  });

  it("German: cuts at 'Am … schrieb …:'", () => {
    const text = lines(
      "Danke, das passt.",
      "",
      "Am Mo., 16. Nov. 2026 um 10:00 Uhr schrieb Alice <alice@example.com>:",
      "> Hallo Bob",
    );
    expect(extractReplyText(text)).toBe("Danke, das passt.");
  });

  it("Spanish: cuts at 'El … escribió:'", () => {
    const text = lines(
      "Me interesa, gracias.",
      "",
      "El lun, 16 nov 2026 a las 10:00, Alice (<alice@example.com>) escribió:",
      "> Hola Bob",
    );
    expect(extractReplyText(text)).toBe("Me interesa, gracias.");
  });

  it("Portuguese: cuts at 'Em … escreveu:'", () => {
    const text = lines(
      "Pode ser na terça.",
      "",
      "Em seg., 16 de nov. de 2026 às 10:00, Alice <alice@example.com> escreveu:",
      "> Olá Bob",
    );
    expect(extractReplyText(text)).toBe("Pode ser na terça.");
  });

  it("Dutch: cuts at 'Op … schreef …:'", () => {
    const text = lines(
      "Prima, bel me maar.",
      "",
      "Op ma 16 nov 2026 om 10:00 schreef Alice <alice@example.com>:",
      "> Hoi Bob",
    );
    expect(extractReplyText(text)).toBe("Prima, bel me maar.");
  });

  it("Italian: cuts at 'Il … ha scritto:'", () => {
    const text = lines(
      "Va bene, grazie.",
      "",
      "Il giorno lun 16 nov 2026 alle ore 10:00 Alice <alice@example.com> ha scritto:",
      "> Ciao Bob",
    );
    expect(extractReplyText(text)).toBe("Va bene, grazie.");
  });

  it("Swedish: cuts at 'Den … skrev …:'", () => {
    const text = lines(
      "Låter bra.",
      "",
      "Den mån 16 nov. 2026 kl 10:00 skrev Alice <alice@example.com>:",
      "> Hej Bob",
    );
    expect(extractReplyText(text)).toBe("Låter bra.");
  });

  it("Japanese: cuts at Gmail's '<date> <name> <address>:'", () => {
    const text = lines(
      "ありがとうございます。",
      "",
      "2026年11月16日(月) 10:00 Alice <alice@example.com>:",
      "> こんにちは",
    );
    expect(extractReplyText(text)).toBe("ありがとうございます。");
  });

  it("Japanese: cuts at '… 書きました:'", () => {
    const text = lines(
      "承知しました。",
      "",
      "2026/11/16 10:00 Alice さんは書きました:",
      "> よろしくお願いします",
    );
    expect(extractReplyText(text)).toBe("承知しました。");
  });
});

describe("extractReplyText: Outlook", () => {
  it("cuts at the From/Sent/To/Subject block and its rule", () => {
    const text = lines(
      "Thanks, I'm interested.",
      "",
      "Best,",
      "Bob",
      "",
      "________________________________",
      "From: Alice <alice@example.com>",
      "Sent: Monday, November 16, 2026 10:00 AM",
      "To: Bob <bob@example.com>",
      "Subject: Role at Acme",
      "",
      "Hi Bob,",
      "We have a role for you.",
    );
    expect(extractReplyText(text)).toBe("Thanks, I'm interested.\n\nBest,\nBob");
  });

  it("cuts at a header block flattened onto one line", () => {
    const text = lines(
      "Yes please.",
      "From: Alice <alice@example.com> Sent: Monday, November 16, 2026 10:00 AM To: Bob Subject: Role",
      "Hi Bob",
    );
    expect(extractReplyText(text)).toBe("Yes please.");
  });

  it("cuts at -----Original Message-----", () => {
    const text = lines(
      "Not right now, thanks.",
      "",
      "-----Original Message-----",
      "From: Alice",
      "Hi Bob",
    );
    expect(extractReplyText(text)).toBe("Not right now, thanks.");
  });

  it("German: cuts at Von/Gesendet/An/Betreff", () => {
    const text = lines(
      "Gerne, rufen Sie mich an.",
      "",
      "Von: Alice <alice@example.com>",
      "Gesendet: Montag, 16. November 2026 10:00",
      "An: Bob <bob@example.com>",
      "Betreff: Stelle bei Acme",
      "",
      "Hallo Bob",
    );
    expect(extractReplyText(text)).toBe("Gerne, rufen Sie mich an.");
  });

  it("French: cuts at De/Envoyé/À/Objet", () => {
    const text = lines(
      "Avec plaisir.",
      "",
      "De : Alice <alice@example.com>",
      "Envoyé : lundi 16 novembre 2026 10:00",
      "À : Bob <bob@example.com>",
      "Objet : Poste chez Acme",
      "",
      "Bonjour Bob",
    );
    expect(extractReplyText(text)).toBe("Avec plaisir.");
  });
});

describe("extractReplyText: Apple Mail", () => {
  it("drops 'Sent from my iPhone' and the quote", () => {
    const text = lines(
      "Sure!",
      "",
      "Sent from my iPhone",
      "",
      "On Nov 16, 2026, at 10:00, Alice <alice@example.com> wrote:",
      "",
      "> Hi Bob",
    );
    expect(extractReplyText(text)).toBe("Sure!");
  });

  it("German: drops 'Von meinem iPhone gesendet'", () => {
    const text = lines(
      "Gerne!",
      "",
      "Von meinem iPhone gesendet",
      "",
      "Am 16.11.2026 um 10:00 schrieb Alice <alice@example.com>:",
      "",
      "> Hallo Bob",
    );
    expect(extractReplyText(text)).toBe("Gerne!");
  });

  it("French: drops 'Envoyé de mon iPhone' and 'Le … a écrit :'", () => {
    const text = lines(
      "Oui, volontiers.",
      "",
      "Envoyé de mon iPhone",
      "",
      "Le 16 nov. 2026 à 10:00, Alice <alice@example.com> a\u00a0écrit\u00a0:",
      "",
      "> Bonjour Bob",
    );
    expect(extractReplyText(text)).toBe("Oui, volontiers.");
  });

  it("Dutch: cuts at 'het volgende geschreven:'", () => {
    const text = lines(
      "Graag.",
      "",
      "Verstuurd vanaf mijn iPhone",
      "",
      "Op 16 nov. 2026 om 10:00 heeft Alice <alice@example.com> het volgende geschreven:",
      "",
      "> Hoi Bob",
    );
    expect(extractReplyText(text)).toBe("Graag.");
  });

  it("Swedish: cuts at '<date> skrev <name>:'", () => {
    const text = lines(
      "Det passar bra.",
      "",
      "Skickat från min iPhone",
      "",
      "16 nov. 2026 kl. 10:00 skrev Alice <alice@example.com>:",
      "",
      "> Hej Bob",
    );
    expect(extractReplyText(text)).toBe("Det passar bra.");
  });

  it("Japanese: cuts at '…のメール:' and drops 'iPhoneから送信'", () => {
    const text = lines(
      "了解です。",
      "",
      "iPhoneから送信",
      "",
      "2026/11/16 10:00、Alice <alice@example.com>のメール:",
      "",
      "> こんにちは",
    );
    expect(extractReplyText(text)).toBe("了解です。");
  });
});

describe("extractReplyText: signatures and quotes", () => {
  it("cuts the signature after '-- '", () => {
    const text = lines("Call me tomorrow.", "", "-- ", "Bob Builder", "+1 555 0100");
    expect(extractReplyText(text)).toBe("Call me tomorrow.");
  });

  it("cuts the signature after a line holding only '—'", () => {
    expect(extractReplyText(lines("Interested!", "—", "Bob"))).toBe("Interested!");
  });

  it("cuts a '— Name' sign-off at the end", () => {
    expect(extractReplyText(lines("Interested!", "", "— Bob"))).toBe("Interested!");
  });

  it("drops quoted lines but keeps the text written between them", () => {
    const text = lines("Yes.", "> Are you open to a call?", "Tuesday works.", "> When?");
    expect(extractReplyText(text)).toBe("Yes.\nTuesday works.");
  });

  it("finds a reply written below the quote", () => {
    const text = lines(
      "On Mon, Nov 16, 2026 at 10:00 AM Alice <alice@example.com> wrote:",
      "> Are you open to a call?",
      "",
      "Yes, Tuesday works.",
    );
    expect(extractReplyText(text)).toBe("Yes, Tuesday works.");
  });

  it("keeps 'On Tuesday I wrote:' written by the sender, which names no date or address", () => {
    const text = lines("On Tuesday I wrote:", "the offer is fine.");
    expect(extractReplyText(text)).toBe("On Tuesday I wrote:\nthe offer is fine.");
  });

  it("never empties a message that is only a signature", () => {
    expect(extractReplyText("Sent from my iPhone")).toBe("Sent from my iPhone");
  });

  it("answers empty for a message that is all quote", () => {
    expect(extractReplyText(lines("> Hi", "> Bob"))).toBe("");
  });

  it("answers the same for CRLF, LF and CR line endings", () => {
    const parts = [
      "Sounds good.",
      "",
      "Bob",
      "",
      "On Mon, Nov 16, 2026 at 10:00 AM Alice <alice@example.com> wrote:",
      "> Hi",
    ];
    const expected = "Sounds good.\n\nBob";
    expect(extractReplyText(parts.join("\r\n"))).toBe(expected);
    expect(extractReplyText(parts.join("\n"))).toBe(expected);
    expect(extractReplyText(parts.join("\r"))).toBe(expected);
  });
});
