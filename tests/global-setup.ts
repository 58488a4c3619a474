// vitest globalSetup, run on the Node side once per run: starts the fake Resend on
// loopback and hands its URL to the tests inside workerd through `inject("resendFakeUrl")`.

import type { TestProject } from "vitest/node";
import { startResendFake } from "./fakes/resend-server";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startResendFake();
  project.provide("resendFakeUrl", fake.url);
  return () => fake.close();
}
