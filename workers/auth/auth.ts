import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { organization } from "better-auth/plugins";
import { db, schema } from "../db/client";
import { config } from "../env";

function makeAuth(env: Env) {
  const cfg = config(env);
  return betterAuth({
    secret: cfg.AUTH_SECRET,
    baseURL: cfg.PUBLIC_URL,
    trustedOrigins: [cfg.PUBLIC_URL],
    database: drizzleAdapter(db(env), { provider: "sqlite", schema }),
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8 },
    telemetry: { enabled: false },
    plugins: [
      organization({
        // Invitations are shared as links from the Team page; no mail is sent for them.
        sendInvitationEmail: async () => {},
        creatorRole: "owner",
      }),
    ],
  });
}

export type Auth = ReturnType<typeof makeAuth>;
const cache = new WeakMap<object, Auth>();

/** better-auth built from this isolate's bindings (cached per isolate). */
export function getAuth(env: Env): Auth {
  let hit = cache.get(env);
  if (!hit) {
    hit = makeAuth(env);
    cache.set(env, hit);
  }
  return hit;
}
