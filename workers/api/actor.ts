import type { Actor } from "../auth/guards";
import type { Failure } from "../campaign/result";
import type { ActorRef } from "../campaign/transitions";
import { errorResponse } from "../http/errors";

/** Who acted, as the prospect's history records it: the API key, or the user. */
export function actorRef(actor: Actor): ActorRef {
  return actor.kind === "api_key" && actor.keyId
    ? { kind: "api_key", id: actor.keyId }
    : { kind: "user", id: actor.userId };
}

/** A DO's expected failure as the API's error response. */
export function failureResponse(f: Failure): Response {
  return errorResponse(f.status, f.code, f.message);
}
