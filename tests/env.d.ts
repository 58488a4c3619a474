import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS?: D1Migration[];
    }
  }
}

declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the fake Resend started by tests/global-setup.ts. */
    resendFakeUrl: string;
    /** Base URL of the fake Twilio started by tests/global-setup.ts. */
    twilioFakeUrl: string;
  }
}
