/** A demo person, in the shape of the JSON API's create body. */
export type DemoPerson = {
  firstName: string;
  lastName: string;
  timeZone?: string;
  emails: { address: string; type: "personal" | "work" }[];
  phones: { number: string; type: "mobile" | "work" }[];
};

const FIRST = [
  "Ada",
  "Ben",
  "Chloe",
  "Diego",
  "Elena",
  "Farid",
  "Grace",
  "Hiro",
  "Imani",
  "Jonas",
  "Kavya",
  "Liam",
  "Maya",
  "Noah",
  "Olga",
  "Priya",
  "Quentin",
  "Rosa",
  "Sam",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Yara",
  "Zoe",
];
const LAST = [
  "Adeyemi",
  "Brooks",
  "Chen",
  "Dubois",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ito",
  "Jensen",
  "Kowalski",
  "Lopez",
  "Müller",
  "Nakamura",
  "Okafor",
  "Patel",
  "Quinn",
  "Rossi",
  "Silva",
  "Tanaka",
  "Underwood",
  "Varga",
  "Walsh",
  "Yilmaz",
  "Zhang",
];
// Reserved names (RFC 2606 / RFC 6761, and 555-01xx numbers): demo data can never reach a
// real inbox or phone, even if a real provider is configured.
const PERSONAL_DOMAINS = ["mail.example", "inbox.example", "post.example"];
const WORK_DOMAINS = ["acme.example", "globex.example", "initech.example", "umbrella.example"];
const TIME_ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata",
];

/** mulberry32: a tiny seeded generator, so every seed run produces the same people. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slug(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

/**
 * `count` demo people, the same on every call: about half with both a personal and a work
 * address, a quarter personal only, a quarter work only, one in 25 with no address at all;
 * two in five with a phone; most with a time zone.
 */
export function demoPeople(count: number, seed = 2026): DemoPerson[] {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const used = new Set<string>();
  const people: DemoPerson[] = [];
  for (let i = 0; i < count; i++) {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    let local = `${slug(firstName)}.${slug(lastName)}`;
    for (let n = 2; used.has(local); n++) local = `${slug(firstName)}.${slug(lastName)}${n}`;
    used.add(local);

    const kind = i % 25 === 24 ? "none" : (["both", "both", "personal", "work"] as const)[i % 4];
    const emails: DemoPerson["emails"] = [];
    if (kind === "both" || kind === "personal") {
      emails.push({ address: `${local}@${pick(PERSONAL_DOMAINS)}`, type: "personal" });
    }
    if (kind === "both" || kind === "work") {
      emails.push({ address: `${local}@${pick(WORK_DOMAINS)}`, type: "work" });
    }
    const phones: DemoPerson["phones"] =
      random() < 0.4
        ? [{ number: `+1 202 555 ${String(100 + (i % 100)).padStart(4, "0")}`, type: "mobile" }]
        : [];
    const zone = random();
    people.push({
      firstName,
      lastName,
      // A few people have no time zone of their own: campaigns fall back to the team's.
      ...(zone < 0.85 ? { timeZone: pick(TIME_ZONES) } : {}),
      emails,
      phones,
    });
  }
  return people;
}
