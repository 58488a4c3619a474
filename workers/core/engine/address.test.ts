import { describe, expect, it } from "vitest";
import { chooseAddress, type PersonEmail } from "./address";

const personal: PersonEmail = { address: "ada@home.test", type: "personal" };
const work: PersonEmail = { address: "ada@corp.test", type: "work" };

describe("chooseAddress", () => {
  it("personal_first takes the personal address, else the work one", () => {
    expect(chooseAddress([work, personal], "personal_first")).toEqual({
      ok: true,
      address: "ada@home.test",
      type: "personal",
    });
    expect(chooseAddress([work], "personal_first")).toEqual({
      ok: true,
      address: "ada@corp.test",
      type: "work",
    });
  });

  it("work_first takes the work address, else the personal one", () => {
    expect(chooseAddress([personal, work], "work_first")).toMatchObject({
      address: "ada@corp.test",
    });
    expect(chooseAddress([personal], "work_first")).toMatchObject({ address: "ada@home.test" });
  });

  it("personal_only and work_only never fall back: null_email", () => {
    expect(chooseAddress([work], "personal_only")).toEqual({ ok: false, reason: "null_email" });
    expect(chooseAddress([personal], "work_only")).toEqual({ ok: false, reason: "null_email" });
    expect(chooseAddress([personal], "personal_only")).toMatchObject({
      ok: true,
      type: "personal",
    });
  });

  it("fails with null_email without any address, skipping blank ones", () => {
    expect(chooseAddress([], "personal_first")).toEqual({ ok: false, reason: "null_email" });
    expect(chooseAddress([{ address: " ", type: "personal" }], "personal_first")).toEqual({
      ok: false,
      reason: "null_email",
    });
  });

  it("takes the first address of a type when there are several", () => {
    const second = { address: "ada2@home.test", type: "personal" as const };
    expect(chooseAddress([personal, second], "personal_only")).toMatchObject({
      address: "ada@home.test",
    });
  });
});
