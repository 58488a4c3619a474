import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { ProspectFilterSchema } from "@workers/core/engine/schemas";
import { splitPastedIds } from "@workers/core/prospect-list";
import { prospectsCsv, requireTeamCampaign } from "~/lib/campaigns.server";

/** Export CSV from the Prospects tab: the list's filters, or only the ticked people (`ids`). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, params.id ?? "");
  const sp = new URL(request.url).searchParams;
  const filter = ProspectFilterSchema.safeParse({
    status: sp.get("status") || undefined,
    stage: sp.get("stage") || undefined,
  });
  if (!filter.success) {
    const message = filter.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return new Response(message, { status: 422 });
  }
  const ids = sp.get("ids");
  return prospectsCsv(env, actor.teamId, campaign, filter.data, ids ? splitPastedIds(ids) : null);
}
