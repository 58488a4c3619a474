// Issue #8: mail coming back through Email Routing's `email` handler, against messages
// Beacon really sent (through the sink): replies by token, thread and alias, out-of-office,
// bounces, forged tokens, duplicates, sync mail, oversized and malformed mail.

import { env } from "cloudflare:workers";
import { sampleBounce, sampleOutOfOffice, sampleReply } from "@workers/core/inbound/samples";
import { describe, expect, it } from "vitest";
import { emailLogOf, engineTeam, listProspects, outreachOf } from "../helpers/engine";
import { deliver, inboundOf, sentStageOne, suppressedOf } from "./helpers";

const DOMAIN = "inbound.test";

async function syncAddressOf(t: Awaited<ReturnType<typeof engineTeam>>) {
  const res = await t.call("GET", "/api/v1/mailboxes");
  const items = (res.json as { items: { id: string; syncAddress: string | null }[] }).items;
  const mine = items.find((m) => m.id === t.mailboxId);
  if (!mine?.syncAddress) throw new Error("the mailbox has no sync address");
  return mine.syncAddress;
}

describe("a human reply stops the sequence", () => {
  it("by the reply token: Replied, no Waiting message left, forwarded to the recruiter, logged once", async () => {
    const t = await engineTeam("reply-token");
    const { campaign, ids, byTo } = await sentStageOne(t, [
      { firstName: "Ada", address: "ada@reply-token.example" },
    ]);
    const sent = byTo.get("ada@reply-token.example");
    expect(sent?.replyTo).toMatch(new RegExp(`^reply\\+[0-9a-f]{48}@${DOMAIN}$`));
    const raw = sampleReply({
      from: "Ada <ada@reply-token.example>",
      to: sent?.replyTo ?? "",
      subject: `Re: ${sent?.subject}`,
      inReplyTo: sent?.messageId,
      text: "Yes, happy to talk on Thursday.",
      quoted: "Hi Ada, a role for you.",
    });
    const d = await deliver(raw, { from: "ada@reply-token.example", to: sent?.replyTo ?? "" });
    expect(d.rejected).toBeNull();
    expect(d.threw).toBeNull();
    expect(d.forwards).toEqual(["reply-token@beacon.test"]);
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ status: "replied", reason: "replied_email" });
    const log = await emailLogOf(t, campaign.id);
    expect(log.some((r) => r.status === "waiting")).toBe(false);
    const answered = (
      await t.call("GET", `/api/v1/email-log?campaignId=${campaign.id}&status=sent`)
    ).json as { items: { stageIndex: number; repliedAt?: string }[] };
    expect(answered.items.find((r) => r.stageIndex === 0)?.repliedAt).toBeDefined();
    const [entry] = await inboundOf(t.teamId);
    expect(entry).toMatchObject({ matched: true, personId: ids[0], kind: "reply", via: "reply" });
    expect(entry.snippet).toBe("Yes, happy to talk on Thursday.");
    // The same message again (say, forwarded back through the sync address): applied once.
    const again = await deliver(raw, {
      from: "ada@reply-token.example",
      to: await syncAddressOf(t),
    });
    expect(again.rejected).toBeNull();
    expect((await inboundOf(t.teamId)).length).toBe(1);
  });

  it("by the thread (In-Reply-To) at the sync address", async () => {
    const t = await engineTeam("reply-thread");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Bo", address: "bo@reply-thread.example" },
    ]);
    const sent = byTo.get("bo@reply-thread.example");
    const d = await deliver(
      sampleReply({
        from: "bo@reply-thread.example",
        to: "reply-thread@beacon.test",
        subject: "Re: role",
        inReplyTo: sent?.messageId,
        text: "Interested.",
      }),
      { from: "bo@reply-thread.example", to: await syncAddressOf(t) },
    );
    expect(d.rejected).toBeNull();
    expect((await listProspects(t, campaign.id))[0]).toMatchObject({ status: "replied" });
    expect(d.forwards).toEqual([]);
  });

  it("by a Gmail alias (dots, +tag, other case) with no thread headers", async () => {
    const t = await engineTeam("reply-alias");
    const { campaign } = await sentStageOne(t, [{ firstName: "Cy", address: "cy.lee@gmail.com" }]);
    await deliver(
      sampleReply({
        from: "C.Y.Lee+jobs@GMAIL.com",
        to: "x@beacon.test",
        subject: "hello",
        text: "Call me.",
      }),
      { from: "C.Y.Lee+jobs@GMAIL.com", to: await syncAddressOf(t) },
    );
    expect((await listProspects(t, campaign.id))[0]).toMatchObject({ status: "replied" });
  });

  it("forwarded to a colleague who replies from another address: matched by the token", async () => {
    const t = await engineTeam("reply-forwarded");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Di", address: "di@reply-forwarded.example" },
    ]);
    const sent = byTo.get("di@reply-forwarded.example");
    await deliver(
      sampleReply({
        from: "boss@other.example",
        to: sent?.replyTo ?? "",
        subject: "Fwd: Re: role",
        text: "Di forwarded me this - let's talk.",
      }),
      { from: "boss@other.example", to: sent?.replyTo ?? "" },
    );
    expect((await listProspects(t, campaign.id))[0]).toMatchObject({ status: "replied" });
  });
});

describe("what is not a reply", () => {
  it("an out-of-office in English with headers pauses until the return date; not Replied", async () => {
    const t = await engineTeam("ooo-en");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Ed", address: "ed@ooo-en.example" },
    ]);
    const sent = byTo.get("ed@ooo-en.example");
    await deliver(
      sampleOutOfOffice({
        from: "ed@ooo-en.example",
        to: sent?.replyTo ?? "",
        subject: "Automatic reply: role",
        inReplyTo: sent?.messageId,
        text: "I am out of the office and will be back on Monday. Limited access to email.",
        withHeaders: true,
      }),
      { from: "ed@ooo-en.example", to: sent?.replyTo ?? "" },
    );
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ status: "paused", reason: "out_of_office" });
    expect(p.nextAt).toBeDefined();
  });

  it("an out-of-office in German without any header is not a reply", async () => {
    const t = await engineTeam("ooo-de");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Fe", address: "fe@ooo-de.example" },
    ]);
    const sent = byTo.get("fe@ooo-de.example");
    await deliver(
      sampleOutOfOffice({
        from: "fe@ooo-de.example",
        to: sent?.replyTo ?? "",
        subject: "Abwesenheitsnotiz",
        text: "Vielen Dank für Ihre Nachricht. Ich bin bis zum 15. Dezember nicht im Büro.",
        withHeaders: false,
      }),
      { from: "fe@ooo-de.example", to: sent?.replyTo ?? "" },
    );
    const [p] = await listProspects(t, campaign.id);
    expect(p.status).not.toBe("replied");
  });

  it("a DSN for our message → Bounced hard_bounce and the address suppressed", async () => {
    const t = await engineTeam("dsn");
    const { campaign, ids, byTo } = await sentStageOne(t, [
      { firstName: "Gu", address: "gu@dsn.example" },
    ]);
    const sent = byTo.get("gu@dsn.example");
    await deliver(
      sampleBounce({
        from: "MAILER-DAEMON@mx.dsn.example",
        to: sent?.replyTo ?? "",
        recipient: "gu@dsn.example",
        status: "5.1.1",
        diagnostic: "550 5.1.1 <gu@dsn.example>: Recipient address rejected: User unknown",
        original: {
          messageId: sent?.messageId ?? "",
          subject: sent?.subject ?? "",
          from: "dsn@beacon.test",
        },
      }),
      { from: "MAILER-DAEMON@mx.dsn.example", to: sent?.replyTo ?? "" },
    );
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ status: "bounced", reason: "hard_bounce" });
    expect((await suppressedOf(t.teamId)).map((s) => s.normalized)).toContain("gu@dsn.example");
    const log = await emailLogOf(t, campaign.id);
    expect(log.find((r) => r.stageIndex === 0)?.status).toBe("bounced");
    const history = (await outreachOf(campaign.id, ids[0]))?.history ?? [];
    expect(history.some((h) => h.reason === "hard_bounce")).toBe(true);
  });
});

describe("mail that matches nothing changes nothing", () => {
  it("a forged reply token: nothing changes; kept for diagnosis with its raw message", async () => {
    const t = await engineTeam("forged");
    const { campaign } = await sentStageOne(t, [{ firstName: "Hu", address: "hu@forged.example" }]);
    const forged = `reply+${"ab".repeat(24)}@${DOMAIN}`;
    const d = await deliver(
      sampleReply({ from: "hu@forged.example", to: forged, subject: "Re: hi", text: "Stop" }),
      { from: "hu@forged.example", to: forged },
    );
    expect(d.rejected).toBeNull();
    expect((await listProspects(t, campaign.id))[0].status).toBe("active");
    const unmatched = (await inboundOf(null)).find((r) => r.envelopeTo === forged);
    expect(unmatched).toMatchObject({ matched: false });
    expect(unmatched?.outcome).toMatch(/forged/);
    expect(await env.MAIL.get(unmatched?.rawKey ?? "none")).not.toBeNull();
  });

  it("another team's thread at this team's sync address does not touch the other team", async () => {
    const a = await engineTeam("team-a");
    const b = await engineTeam("team-b");
    const { campaign, byTo } = await sentStageOne(a, [
      { firstName: "Io", address: "io@team-a.example" },
    ]);
    const sent = byTo.get("io@team-a.example");
    await deliver(
      sampleReply({
        from: "io@team-a.example",
        to: "b@beacon.test",
        subject: "Re",
        inReplyTo: sent?.messageId,
        text: "Yes",
      }),
      { from: "io@team-a.example", to: await syncAddressOf(b) },
    );
    expect((await listProspects(a, campaign.id))[0].status).toBe("active");
    expect((await inboundOf(b.teamId))[0]).toMatchObject({ matched: false });
  });

  it("rejects a message over 25 MiB with a reason, without reading it", async () => {
    const d = await deliver("x", {
      from: "a@b.example",
      to: `sync+abc@${DOMAIN}`,
      rawSize: 25 * 1024 * 1024 + 1,
    });
    expect(d.rejected).toMatch(/25 MiB/);
    expect(d.threw).toBeNull();
  });

  it("never crashes on malformed MIME", async () => {
    const raw =
      'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n\u0000\u0001 broken';
    const d = await deliver(raw, { from: "a@b.example", to: `sync+nothing@${DOMAIN}` });
    expect(d.threw).toBeNull();
  });
});

describe("the sync address", () => {
  it("mail the recruiter sends themselves with the sync address in BCC is logged on the person", async () => {
    const t = await engineTeam("sync-out");
    const ids = await t.people([
      { firstName: "Jo", emails: [{ address: "jo@sync-out.example", type: "work" }] },
    ]);
    const d = await deliver(
      sampleReply({
        from: "sync-out@beacon.test",
        to: "Jo <Jo@Sync-Out.example>",
        subject: "Coffee?",
        text: "Free Friday?",
      }),
      { from: "sync-out@beacon.test", to: await syncAddressOf(t) },
    );
    expect(d.rejected).toBeNull();
    const [entry] = await inboundOf(t.teamId);
    expect(entry).toMatchObject({
      matched: true,
      direction: "out",
      personId: ids[0],
      subject: "Coffee?",
    });
  });
});

describe("stop the company on a reply", () => {
  it("marks colleagues at the same company domain Replied when the campaign says so", async () => {
    const t = await engineTeam("company");
    const ids = await t.people([
      { firstName: "Ka", emails: [{ address: "ka@acme-co.example", type: "work" }] },
      { firstName: "Li", emails: [{ address: "li@acme-co.example", type: "work" }] },
      { firstName: "Mo", emails: [{ address: "mo@other-co.example", type: "work" }] },
    ]);
    const res = await t.call("POST", "/api/v1/campaigns", {
      name: "Company",
      stopCompanyOnReply: true,
      stages: [
        {
          type: "email",
          delayMinutes: 0,
          mailboxId: t.mailboxId,
          subject: "Hi",
          body: "Hi {{firstName}}",
          emailPriority: "work_first",
        },
        {
          type: "email",
          delayMinutes: 3 * 24 * 60,
          mailboxId: t.mailboxId,
          subject: "Hi",
          body: "Again",
          emailPriority: "work_first",
        },
      ],
    });
    expect(res.status, res.text).toBe(201);
    const id = (res.json as { id: string }).id;
    await t.call("POST", `/api/v1/campaigns/${id}/prospects`, { personIds: ids });
    const { runAlarm } = await import("../helpers/engine");
    await runAlarm(id);
    await deliver(
      sampleReply({ from: "ka@acme-co.example", to: "x", subject: "Re: Hi", text: "Not now." }),
      { from: "ka@acme-co.example", to: await syncAddressOf(t) },
    );
    const rows = await listProspects(t, id);
    const status = (pid: string) => rows.find((r) => r.personId === pid)?.status;
    expect(status(ids[0])).toBe("replied");
    expect(status(ids[1])).toBe("replied");
    expect(status(ids[2])).toBe("active");
  });
});

describe("replies in the campaign's later life", () => {
  it("a reply to an old stage after the campaign moved on still stops the sequence", async () => {
    const t = await engineTeam("old-stage");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Nu", address: "nu@old-stage.example" },
    ]);
    const first = byTo.get("nu@old-stage.example");
    // Stage 2 goes out three days later; they answer the first email afterwards.
    const { setClockForTest, clock, resetClockForTest } = await import("@workers/clock");
    const { runAlarm } = await import("../helpers/engine");
    setClockForTest(clock.now() + 3 * 24 * 60 * 60_000 + 60_000);
    await runAlarm(campaign.id);
    resetClockForTest();
    expect((await listProspects(t, campaign.id))[0].status).toBe("complete");
    await deliver(
      sampleReply({
        from: "nu@old-stage.example",
        to: first?.replyTo ?? "",
        subject: "Re: old",
        inReplyTo: first?.messageId,
        text: "Sorry for the delay - yes!",
      }),
      { from: "nu@old-stage.example", to: first?.replyTo ?? "" },
    );
    expect((await listProspects(t, campaign.id))[0]).toMatchObject({
      status: "replied",
      reason: "replied_email",
    });
  });

  it("when Email Routing cannot forward to the recruiter, the Mailboxes page is told to verify the destination", async () => {
    const t = await engineTeam("no-forward");
    const { campaign, byTo } = await sentStageOne(t, [
      { firstName: "Ot", address: "ot@no-forward.example" },
    ]);
    const sent = byTo.get("ot@no-forward.example");
    const d = await deliver(
      sampleReply({
        from: "ot@no-forward.example",
        to: sent?.replyTo ?? "",
        subject: "Re",
        inReplyTo: sent?.messageId,
        text: "Yes",
      }),
      { from: "ot@no-forward.example", to: sent?.replyTo ?? "", forwardFails: true },
    );
    expect(d.threw).toBeNull();
    expect((await listProspects(t, campaign.id))[0].status).toBe("replied");
    const res = await t.call("GET", "/api/v1/mailboxes");
    const mine = (res.json as { items: { id: string; problem?: string | null }[] }).items.find(
      (m) => m.id === t.mailboxId,
    );
    expect(mine?.problem ?? "").toMatch(/verified destination/);
    expect((await inboundOf(t.teamId))[0].outcome).toMatch(/not forwarded/);
  });
});
