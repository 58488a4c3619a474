import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves the sign-in page", async () => {
  const res = await exports.default.fetch("http://localhost/login");
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Sign in");
});
