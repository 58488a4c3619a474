// Issue #11 item 9 (with the live feed of DESIGN.md §2): a member removed from the team has
// their open live connections closed at once, and cannot open new ones.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { addMember, api, makeTeam, page } from "./helpers/teams";

type Socket = { ws: WebSocket; hello: Promise<unknown>; closed: Promise<number> };

async function connect(cookie: string, campaignId: string): Promise<Socket | number> {
  const res = await exports.default.fetch(`http://localhost/parties/campaign/${campaignId}`, {
    headers: { Upgrade: "websocket", Cookie: cookie },
  });
  if (res.status !== 101 || !res.webSocket) {
    await res.body?.cancel();
    return res.status;
  }
  const ws = res.webSocket;
  const hello = new Promise((resolve) =>
    ws.addEventListener("message", (e) => resolve(JSON.parse(String(e.data))), { once: true }),
  );
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (e) => resolve(e.code)),
  );
  ws.accept();
  return { ws, hello, closed };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);

describe("a removed member's live connections", () => {
  it("are closed at once, new ones are refused, and teammates stay connected", async () => {
    const owner = await makeTeam("live-owner");
    const member = await addMember(owner, "live-member", "member");
    const created = await api(owner.key, "POST", "/api/v1/campaigns", {
      name: "Live",
      stages: [{ type: "task", delayMinutes: 0, title: "Call them" }],
    });
    expect(created.status).toBe(201);
    const { id } = z.object({ id: z.string() }).parse(await created.json());

    const theirs = await connect(member.cookie, id);
    const ours = await connect(owner.cookie, id);
    if (typeof theirs === "number" || typeof ours === "number") throw new Error("not connected");
    expect(await within(theirs.hello, 2_000)).toMatchObject({ type: "hello", campaignId: id });
    await ours.hello;

    const removed = await page(owner.cookie, "/settings/members", {
      intent: "remove",
      id: member.memberId,
    });
    expect(removed.status).toBe(200);
    expect(await within(theirs.closed, 2_000)).toBe(4003);
    expect(await within(ours.closed, 300)).toBe("timeout");
    expect(await connect(member.cookie, id)).toBe(401);
    ours.ws.close();
  });
});
