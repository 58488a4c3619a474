/** Expected failures cross the DO boundary as values; the API maps them to responses. */
export type Failure = {
  ok: false;
  status: 400 | 404 | 409 | 422;
  code: "invalid_cursor" | "not_found" | "conflict" | "validation_failed";
  message: string;
};
export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const conflict = (message: string): Failure => ({
  ok: false,
  status: 409,
  code: "conflict",
  message,
});
export const notFound = (message: string): Failure => ({
  ok: false,
  status: 404,
  code: "not_found",
  message,
});
export const invalid = (message: string): Failure => ({
  ok: false,
  status: 422,
  code: "validation_failed",
  message,
});
export const badCursor = (message: string): Failure => ({
  ok: false,
  status: 400,
  code: "invalid_cursor",
  message,
});
