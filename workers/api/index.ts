import { ApiRouter } from "./router";

/** Every /api/v1 route. */
export const api = new ApiRouter();
