// Issue #8 parts 3 and 5: inbound mail in the UI — a mailbox's sync mail and "captures
// replies", the admins' unmatched mail (and its raw download), the person's Mail section,
// the Email Log's simulate actions (sink only), and the pruning of old unmatched mail.
// Pages are requested as a browser without JavaScript (session cookie); mail arrives
// through the Worker's own `email` handler. Run `npm run build` first.

import { env } from "cloudflare:workers";
import { sampleReply } from "@workers/core/inbound/samples";
import { pruneInbound, pruneUnmatchedMail, UNMATCHED_KEEP_MS } from "@workers/data/inbound-mail";
import { db, schema } from "@workers/db/client";
import { simulateInbound } from "@workers/inbound/simulate";
import { engineHooks } from "@workers/testing/hooks";
import { eq, inArray } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type EngineTeam, emailLogOf, engineTeam, listProspects } from "../helpers/engine";
import { addMember, html, makeTeam, page } from "../helpers/teams";
import { deliver, inboundOf, sentStageOne } from "./helpers";

const DOMAIN = "inbound.test";

afterEach(() => {
  engineHooks.resend = undefined;
});

const Mailboxes = z.object({
  items: z.array(z.object({ id: z.string(), syncAddress: z.string().nullable() })),
});

async function syncAddressOf(t: EngineTeam) {
  const res = await t.call("GET", "/api/v1/mailboxes");
  const mine = Mailboxes.parse(res.json).items.find((m) => m.id === t.mailboxId);
  if (!mine?.syncAddress) throw new Error("the mailbox has no sync address");
  return mine.syncAddress;
}

/** The mailbox card of `address` in the Mailboxes page's HTML. */
function cardOf(body: string, address: string) {
  const start = body.indexOf(`aria-label="${address}"`);
  expect(start, `a card for ${address}`).toBeGreaterThan(-1);
  const end = body.indexOf("</article>", start);
  return body.slice(start, end);
}

const GREEN_CAPTURES =
  /<li class="check"><span class="mark" aria-hidden="true">✓<\/span>Captures replies<\/li>/;

describe("the Mailboxes page", () => {
  it("lists mail received at the sync address and shows Captures replies green once mail arrived", async () => {
    const t = await engineTeam("ui-mailbox");
    const address = "ui-mailbox@beacon.test";
    const before = cardOf(await html(await page(t.cookie, "/mailboxes")), address);
    expect(before).toContain("Captures replies: no mail has arrived yet");
    expect(before).not.toMatch(GREEN_CAPTURES);
    expect(before).toContain("Nothing yet.");

    const sync = await syncAddressOf(t);
    const code =
      "(#493027118) Gmail Forwarding Confirmation - Receive Mail from ui-mailbox@beacon.test";
    const d = await deliver(
      sampleReply({
        from: "Gmail Team <forwarding-noreply@google.com>",
        to: sync,
        subject: code,
        text: "Confirmation code: 493027118\r\n\r\nTo allow ui-mailbox@beacon.test to automatically forward mail to your address, please click the link below.",
      }),
      { from: "forwarding-noreply@google.com", to: sync },
    );
    expect(d.rejected).toBeNull();

    const after = cardOf(await html(await page(t.cookie, "/mailboxes")), address);
    expect(after).toMatch(GREEN_CAPTURES);
    expect(after).toContain("Latest mail received at the sync address");
    expect(after).toContain(code);
    expect(after).toContain("From forwarding-noreply@google.com");
  });

  it("shows at most the latest 20 messages, newest first", async () => {
    const t = await engineTeam("ui-mailbox-20");
    const sync = await syncAddressOf(t);
    for (let i = 1; i <= 22; i++) {
      await deliver(
        sampleReply({
          from: `n${i}@elsewhere.example`,
          to: sync,
          subject: `Message number ${i}.`,
          text: "Hello",
        }),
        { from: `n${i}@elsewhere.example`, to: sync },
      );
    }
    const card = cardOf(
      await html(await page(t.cookie, "/mailboxes")),
      "ui-mailbox-20@beacon.test",
    );
    expect(card.match(/data-mail="/g)?.length).toBe(20);
    expect(card).toContain("Message number 22.");
    expect(card).not.toContain("Message number 2.");
    expect(card.indexOf("Message number 22.")).toBeLessThan(card.indexOf("Message number 21."));
  });
});

describe("the Unmatched mail page", () => {
  it("shows an admin the team's unmatched mail, never mail tied to no team, and serves its raw message", async () => {
    const t = await engineTeam("ui-unmatched");
    const sync = await syncAddressOf(t);
    await deliver(
      sampleReply({
        from: "stranger@nowhere.example",
        to: sync,
        subject: "Who gave you my address?",
        text: "Hm.",
      }),
      { from: "stranger@nowhere.example", to: sync },
    );
    const forged = `reply+${"cd".repeat(24)}@${DOMAIN}`;
    await deliver(
      sampleReply({
        from: "stray@nowhere.example",
        to: forged,
        subject: "Platform-level stray",
        text: "?",
      }),
      { from: "stray@nowhere.example", to: forged },
    );
    const [row] = (await inboundOf(t.teamId)).filter((r) => !r.matched);
    expect(row?.rawKey).toBeTruthy();

    const res = await page(t.cookie, "/settings/unmatched-mail");
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Who gave you my address?");
    expect(body).toContain("stranger@nowhere.example");
    expect(body).toContain(sync);
    expect(body).toContain("Matches no message or person of the team");
    expect(body).toContain('ui-unmatched@beacon.test<div class="muted small">its sync address');
    expect(body).not.toContain("Platform-level stray");
    expect(body).toContain(`/settings/unmatched-mail/${row.id}/raw`);

    const raw = await page(t.cookie, `/settings/unmatched-mail/${row.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("Content-Type")).toBe("message/rfc822");
    expect(raw.headers.get("Content-Disposition")).toContain("attachment");
    const text = new TextDecoder().decode(await raw.arrayBuffer());
    expect(text).toContain("Subject: Who gave you my address?");
    expect(text).toContain("Message-ID: <");
  });

  it("refuses a member (403), and another team's admin gets 404 for the raw message", async () => {
    const t = await engineTeam("ui-unmatched-roles");
    const sync = await syncAddressOf(t);
    await deliver(
      sampleReply({ from: "someone@nowhere.example", to: sync, subject: "Roles test", text: "Hi" }),
      { from: "someone@nowhere.example", to: sync },
    );
    const [row] = (await inboundOf(t.teamId)).filter((r) => !r.matched);
    const member = await addMember(t, "ui-unmatched-member", "member");
    expect((await page(member.cookie, "/settings/unmatched-mail")).status).toBe(403);
    expect((await page(member.cookie, `/settings/unmatched-mail/${row.id}/raw`)).status).toBe(403);

    const other = await makeTeam("ui-unmatched-other");
    const stolen = await page(other.cookie, `/settings/unmatched-mail/${row.id}/raw`);
    expect(stolen.status).toBe(404);
    expect(await stolen.text()).not.toContain("Roles test");
    const list = await html(await page(other.cookie, "/settings/unmatched-mail"));
    expect(list).not.toContain("Roles test");
    expect(list).toContain("No unmatched mail");
  });
});

describe("the person profile's Mail section", () => {
  it("lists the person's mail in both directions, newest first, with the reply's text", async () => {
    const t = await engineTeam("ui-profile");
    const { ids, byTo } = await sentStageOne(t, [
      { firstName: "Ines", address: "ines@ui-profile.example" },
    ]);
    const sent = byTo.get("ines@ui-profile.example");
    await deliver(
      sampleReply({
        from: "Ines <ines@ui-profile.example>",
        to: sent?.replyTo ?? "",
        subject: `Re: ${sent?.subject}`,
        inReplyTo: sent?.messageId,
        text: "Sounds interesting, tell me more.",
        quoted: "Hi Ines, a role for you.",
      }),
      { from: "ines@ui-profile.example", to: sent?.replyTo ?? "" },
    );
    const sync = await syncAddressOf(t);
    await deliver(
      sampleReply({
        from: "ui-profile@beacon.test",
        to: "Ines <ines@ui-profile.example>",
        subject: "Details of the role",
        text: "Here is the job description.",
      }),
      { from: "ui-profile@beacon.test", to: sync },
    );
    const body = await html(await page(t.cookie, `/people/${ids[0]}`));
    expect(body).toContain('id="mail-title"');
    expect(body).toContain("Outreach");
    const mail = body.slice(body.indexOf('id="mail-title"'));
    expect(mail).toContain('data-direction="in"');
    expect(mail).toContain('data-direction="out"');
    expect(mail).toContain("Sounds interesting, tell me more.");
    expect(mail).not.toContain("Hi Ines, a role for you.");
    expect(mail).toContain("Details of the role");
    // Newest first: the synced mail the recruiter sent arrived last.
    expect(mail.indexOf('data-direction="out"')).toBeLessThan(mail.indexOf('data-direction="in"'));
  });
});

/** The team's one sent email (stage 1) to `address`, from the Email Log. */
async function sentRowOf(t: EngineTeam, campaignId: string) {
  const row = (await emailLogOf(t, campaignId)).find((r) => r.status === "sent");
  if (!row) throw new Error("no sent email");
  return row;
}

describe("simulate reply / out-of-office / bounce in the Email Log", () => {
  it("offers the three actions on a sent email of the sink", async () => {
    const t = await engineTeam("ui-sim-page");
    const { campaign } = await sentStageOne(t, [
      { firstName: "Ola", address: "ola@ui-sim-page.example" },
    ]);
    const row = await sentRowOf(t, campaign.id);
    const body = await html(await page(t.cookie, "/email-log"));
    const at = body.indexOf(`data-message="${row.id}"`);
    const tr = body.slice(at, body.indexOf("</tr>", at));
    expect(tr).toContain('name="kind" value="reply"');
    expect(tr).toContain('name="kind" value="out_of_office"');
    expect(tr).toContain('name="kind" value="bounce"');
  });

  it("a simulated reply makes the prospect Replied and says what Beacon did", async () => {
    const t = await engineTeam("ui-sim-reply");
    const { campaign, ids } = await sentStageOne(t, [
      { firstName: "Pia", address: "pia@ui-sim-reply.example" },
    ]);
    const row = await sentRowOf(t, campaign.id);
    const res = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: row.id,
      kind: "reply",
    });
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain(
      "Simulated a reply from pia@ui-sim-reply.example. Pia is now Replied in “Replies”",
    );
    expect(body).toContain("Forwarded to ui-sim-reply@beacon.test (simulated");
    expect(body).toContain("Inbound log: replied_email");
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ personId: ids[0], status: "replied", reason: "replied_email" });
    const [logged] = await inboundOf(t.teamId);
    expect(logged).toMatchObject({
      matched: true,
      kind: "reply",
      via: "reply",
      personId: ids[0],
      emailLogId: row.id,
    });
    expect(logged.snippet).toContain("does Thursday afternoon work");
  });

  it("a simulated out-of-office pauses the prospect until its return date", async () => {
    const t = await engineTeam("ui-sim-ooo");
    const { campaign } = await sentStageOne(t, [
      { firstName: "Quin", address: "quin@ui-sim-ooo.example" },
    ]);
    const row = await sentRowOf(t, campaign.id);
    const res = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: row.id,
      kind: "out_of_office",
    });
    expect(await html(res)).toContain(
      "Simulated an out-of-office from quin@ui-sim-ooo.example. Quin is now Paused",
    );
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ status: "paused", reason: "out_of_office" });
    const [logged] = await inboundOf(t.teamId);
    expect(logged.outcome).not.toContain("no date stated");
  });

  it("a simulated bounce makes the prospect Bounced", async () => {
    const t = await engineTeam("ui-sim-bounce");
    const { campaign } = await sentStageOne(t, [
      { firstName: "Rui", address: "rui@ui-sim-bounce.example" },
    ]);
    const row = await sentRowOf(t, campaign.id);
    const res = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: row.id,
      kind: "bounce",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain(
      "Simulated a bounce from MAILER-DAEMON@mx.ui-sim-bounce.example. Rui is now Bounced",
    );
    const [p] = await listProspects(t, campaign.id);
    expect(p).toMatchObject({ status: "bounced", reason: "hard_bounce" });
    const [logged] = await inboundOf(t.teamId);
    expect(logged).toMatchObject({ kind: "bounce", matched: true });
  });

  it("is refused, with the reason, when email does not go through the sink", async () => {
    const t = await engineTeam("ui-sim-provider");
    const { campaign } = await sentStageOne(t, [
      { firstName: "Sam", address: "sam@ui-sim-provider.example" },
    ]);
    const row = await sentRowOf(t, campaign.id);
    engineHooks.resend = { apiKey: "re_test_not_used", baseUrl: "http://127.0.0.1:9" };
    const listed = await html(await page(t.cookie, "/email-log"));
    expect(listed).not.toContain('name="kind" value="reply"');
    const res = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: row.id,
      kind: "reply",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain(
      "Not simulated: Simulating replies works only with the local sink",
    );
    expect((await listProspects(t, campaign.id))[0]).toMatchObject({ status: "active" });
    expect(await inboundOf(t.teamId)).toEqual([]);
  });

  it("is refused without an inbound domain, and for a message that was not sent", async () => {
    const t = await engineTeam("ui-sim-refused");
    const { campaign } = await sentStageOne(t, [
      { firstName: "Tia", address: "tia@ui-sim-refused.example" },
    ]);
    const log = await emailLogOf(t, campaign.id);
    const sent = log.find((r) => r.status === "sent");
    const waiting = log.find((r) => r.status === "waiting");
    if (!sent || !waiting) throw new Error("fixtures");
    const noDomain = await simulateInbound(
      { ...env, INBOUND_DOMAIN: "" },
      t.teamId,
      sent.id,
      "reply",
    );
    expect(noDomain).toMatchObject({ ok: false, code: "no_inbound_domain" });
    if (!noDomain.ok) expect(noDomain.message).toContain("INBOUND_DOMAIN");
    const res = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: waiting.id,
      kind: "bounce",
    });
    expect(res.status).toBe(200);
    expect(await html(res)).toContain(
      "Not simulated: Only an email that was sent can be answered.",
    );
    const bad = await page(t.cookie, "/email-log", {
      intent: "simulate",
      messageId: sent.id,
      kind: "spam",
    });
    expect(bad.status).toBe(200);
    expect(await html(bad)).toContain("Choose reply, out-of-office or bounce");
    expect(await inboundOf(t.teamId)).toEqual([]);
  });
});

describe("pruneInbound, the housekeeping job", () => {
  it("deletes unmatched mail older than 30 days with its raw message, oldest first and bounded; keeps the rest", async () => {
    const now = Date.now();
    const old = now - UNMATCHED_KEEP_MS - 1;
    const row = (id: string, receivedAt: number, matched: boolean) => ({
      id,
      teamId: matched ? "prune-team" : null,
      messageId: `${id}@prune.example`,
      envelopeFrom: "a@prune.example",
      envelopeTo: `sync+x@${DOMAIN}`,
      via: "sync" as const,
      direction: "in" as const,
      kind: "other",
      verdict: "{}",
      outcome: matched ? "logged" : "unmatched: test",
      matched,
      rawKey: matched ? null : `unmatched/${id}.eml`,
      receivedAt,
    });
    const ids = ["prune-1", "prune-2", "prune-3", "prune-recent", "prune-matched"];
    await db(env)
      .insert(schema.inboundMail)
      .values([
        row("prune-1", old - 3000, false),
        row("prune-2", old - 2000, false),
        row("prune-3", old - 1000, false),
        row("prune-recent", now - 1000, false),
        row("prune-matched", old - 5000, true),
      ]);
    for (const id of ["prune-1", "prune-2", "prune-3", "prune-recent"]) {
      await env.MAIL.put(`unmatched/${id}.eml`, "Subject: x\r\n\r\nx");
    }
    const left = async () =>
      (
        await db(env)
          .select({ id: schema.inboundMail.id })
          .from(schema.inboundMail)
          .where(inArray(schema.inboundMail.id, ids))
      )
        .map((r) => r.id)
        .sort();

    expect(await pruneUnmatchedMail(env, now, 2)).toEqual({ deleted: 2 });
    expect(await left()).toEqual(["prune-3", "prune-matched", "prune-recent"]);
    expect(await env.MAIL.head("unmatched/prune-1.eml")).toBeNull();
    expect(await env.MAIL.head("unmatched/prune-2.eml")).toBeNull();
    expect(await env.MAIL.head("unmatched/prune-3.eml")).not.toBeNull();

    await pruneInbound(env, now);
    expect(await pruneUnmatchedMail(env, now)).toEqual({ deleted: 0 });
    expect(await left()).toEqual(["prune-matched", "prune-recent"]);
    expect(await env.MAIL.head("unmatched/prune-recent.eml")).not.toBeNull();
    await db(env).delete(schema.inboundMail).where(eq(schema.inboundMail.id, "prune-matched"));
  });
});
