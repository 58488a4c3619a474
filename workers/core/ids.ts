import { v7 } from "uuid";

/**
 * A new id for rows that pile up by the thousand (people, a campaign's messages): a
 * UUIDv7, time-ordered and increasing within an isolate, so a batch of them appends at
 * the end of every index keyed by it instead of landing on random pages of a large B-tree
 * (ADR 0032). Its counter starts at random each millisecond and its last 42 bits are
 * random; no id is a secret (links and reply addresses carry signed tokens).
 */
export const newOrderedId = (): string => v7();
