import { MailboxInputSchema } from "../core/mailboxes";
import { createMailbox, listMailboxes, resyncMailbox } from "../data/mailboxes";
import { errorResponse, notFound } from "../http/errors";
import { readJsonBody } from "../http/json-body";
import type { ApiRouter } from "./router";

/** /api/v1/mailboxes routes. */
export function registerMailboxesRoutes(api: ApiRouter): void {
  api.on("POST", "/api/v1/mailboxes", async ({ request, env, actor }) => {
    const input = await readJsonBody(request, MailboxInputSchema, "The mailbox");
    const result = await createMailbox(env, actor, input);
    if (!result.ok) return errorResponse(409, result.code, result.message);
    return Response.json(result.mailbox, { status: 201 });
  });

  api.on("GET", "/api/v1/mailboxes", async ({ env, actor }) => {
    return Response.json({ items: await listMailboxes(env, actor.teamId) });
  });

  api.on("POST", "/api/v1/mailboxes/:id/resync", async ({ env, actor, params }) => {
    const mailbox = await resyncMailbox(env, actor.teamId, params.id);
    return mailbox ? Response.json(mailbox) : notFound("No such mailbox in this team.");
  });
}
