// Issue #9 (DESIGN.md §2 "Live updates"): who of the team is viewing or editing a
// campaign, live; a clean close leaves at once, a silent drop once its heartbeat stops.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { addMember, api, makeTeam } from "../helpers/teams";
import { connected, type Frame, type LiveSocket } from "./socket";

const Presence = z.object({
  type: z.literal("presence"),
  users: z.array(z.object({ userId: z.string(), name: z.string(), mode: z.string() })),
});

/** The newest presence frame from `from` on that matches. */
async function presence(
  s: LiveSocket,
  match: (users: z.infer<typeof Presence>["users"]) => boolean,
  ms = 3_000,
) {
  const from = 0;
  const found = await s.next(
    (f: Frame) => f.type === "presence" && match(Presence.parse(f).users),
    ms,
    from,
  );
  return Presence.parse(found).users;
}

describe("presence on a campaign", () => {
  it("lists teammates by name and mode; a closed page leaves at once, a dropped one within seconds", async () => {
    const owner = await makeTeam("pres-owner");
    const member = await addMember(owner, "pres-member", "member");
    const created = await api(owner.key, "POST", "/api/v1/campaigns", {
      name: "Presence",
      stages: [{ type: "task", delayMinutes: 0, title: "Call" }],
    });
    const { id } = z.object({ id: z.string() }).parse(await created.json());

    const ours = await connected(owner.cookie, `/parties/campaign/${id}?presence=viewing`);
    expect(await ours.next((f) => f.type === "hello")).toMatchObject({ you: owner.userId });
    const theirs = await connected(member.cookie, `/parties/campaign/${id}?presence=editing`);
    const both = await presence(ours, (u) => u.length === 2);
    expect(both).toEqual(
      [
        { userId: owner.userId, name: "Pres-owner User", mode: "viewing" },
        { userId: member.userId, name: "Pres-member User", mode: "editing" },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );

    // A clean close: the others hear at once, without a ping.
    theirs.ws.close();
    const seen = ours.frames.length;
    await ours.next(
      (f) => f.type === "presence" && Presence.parse(f).users.length === 1,
      2_000,
      seen,
    );

    // A silent drop: the member's page stops its heartbeat without closing.
    const silent = await connected(member.cookie, `/parties/campaign/${id}?presence=viewing`);
    await presence(ours, (u) => u.some((x) => x.userId === member.userId));
    const mark = ours.frames.length;
    let gone = false;
    for (let i = 0; i < 80 && !gone; i++) {
      ours.send({ type: "ping" });
      await scheduler.wait(100);
      gone = ours.frames
        .slice(mark)
        .some(
          (f) =>
            f.type === "presence" &&
            !Presence.parse(f).users.some((x) => x.userId === member.userId),
        );
    }
    expect(gone).toBe(true);
    silent.ws.close();
    ours.ws.close();
  });
});
