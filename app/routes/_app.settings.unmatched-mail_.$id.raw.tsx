import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { unmatchedRaw } from "@workers/data/inbound-mail";

/**
 * The raw RFC 822 message of one of the team's unmatched mails, for an admin to diagnose.
 * Another team's id, matched mail or a pruned message: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env, "admin");
  const id = params.id ?? "";
  const raw = await unmatchedRaw(env, actor.teamId, id);
  if (!raw) throw new Response("No such message in your team's unmatched mail.", { status: 404 });
  return new Response(raw.body, {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Length": String(raw.size),
      "Content-Disposition": `attachment; filename="unmatched-${encodeURIComponent(id)}.eml"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
