// vitest globalSetup, run on the Node side once per run: starts the fake Resend and the
// fake Twilio on loopback and hands their URLs to the tests inside workerd through
// `inject("resendFakeUrl")` and `inject("twilioFakeUrl")`.

import type { TestProject } from "vitest/node";
import { startResendFake } from "./fakes/resend-server";
import { startTwilioFake } from "./fakes/twilio-server";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startResendFake();
  project.provide("resendFakeUrl", fake.url);
  const twilio = await startTwilioFake();
  project.provide("twilioFakeUrl", twilio.url);
  return async () => {
    await fake.close();
    await twilio.close();
  };
}
