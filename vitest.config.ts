import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(here("./db/migrations")),
          AUTH_SECRET: "Vq3xT9mKp2LwZ8rN4bYc7HdJ6sFgA1eQ",
          PUBLIC_URL: "http://localhost",
          INBOUND_DOMAIN: "inbound.test",
          RESEND_API_KEY: "",
          RESEND_BASE_URL: "",
          // A test-only Svix secret: tests/webhooks-resend.test.ts signs with svix's own signer.
          RESEND_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          RESEND_RATE_PER_SECOND: "",
          TRACK_MACHINE_SECONDS: "",
          SIGN_UP_LIMIT: "",
          TWILIO_ACCOUNT_SID: "",
          TWILIO_AUTH_TOKEN: "",
          TWILIO_FROM: "",
          TWILIO_BASE_URL: "",
          DEMO_API_KEY: "",
        },
      },
    }),
  ],
  resolve: {
    alias: {
      "virtual:remix-build": `${process.env.BUILD_DIR ?? here("./build")}/server/index.js`,
      "~": here("./app"),
      "@workers": here("./workers"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts", "workers/**/*.test.ts"],
    // Browser tests run in Node against wrangler dev (scripts/e2e.ts), not inside workerd.
    exclude: [...configDefaults.exclude, "tests/e2e/**"],
    setupFiles: ["./tests/setup.ts"],
    globalSetup: ["./tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    deps: { optimizer: { ssr: { enabled: true, include: ["@remix-run/cloudflare", "resend"] } } },
  },
}));
