// Lets Node import the Worker's modules for the seed. Some of them import partyserver, which
// imports `cloudflare:workers` at load time; outside workerd that scheme does not exist.
// The seed never runs a Durable Object, so load-time stand-ins are enough: any real use
// fails loudly (the seed's env has no Durable Object bindings at all).
import { register } from "node:module";

const stub = `
export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
export class RpcTarget {}
export const env = {};
export function waitUntil() { throw new Error("waitUntil only exists inside workerd"); }
`;

const hooks = `
const STUB = ${JSON.stringify(`data:text/javascript,${encodeURIComponent(stub)}`)};
export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers") return { url: STUB, shortCircuit: true };
  return next(specifier, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
