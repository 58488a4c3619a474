import { isChunked } from "../campaign/prospect-actions";
import type { ActResult } from "../campaign/rpc";
import type { PageKey } from "../campaign/store";
import type { ActorRef } from "../campaign/transitions";
import type { ProspectAction } from "../core/engine/schemas";
import type { campaignStub } from "./campaigns";

type Stub = Awaited<ReturnType<typeof campaignStub>>;

/**
 * A prospect action as the API and pages take it. With `all: true` (but move/add_to, which
 * go whole under one move id) it runs a chunk of people per Campaign DO call, so no call
 * runs unbounded however big the campaign; each chunk's rows reach the campaign's live
 * feed as it lands (the progress). Answered as one result.
 */
export async function actOnProspects(stub: Stub, action: ProspectAction, actor: ActorRef) {
  if (!isChunked(action)) return stub.act(action, actor);
  const out: ActResult = { applied: [], refused: [], notes: [] };
  let after: PageKey | null = null;
  do {
    const chunk = await stub.actChunk(action, actor, after);
    if (!chunk.ok) return chunk;
    out.applied.push(...chunk.value.applied);
    out.refused.push(...chunk.value.refused);
    out.notes.push(...chunk.value.notes);
    after = chunk.value.next;
  } while (after !== null);
  return { ok: true as const, value: out };
}
