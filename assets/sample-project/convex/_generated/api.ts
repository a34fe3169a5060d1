// What `convex codegen` would generate: references to this project's functions.
import { anyApi } from "convex/server";

export const api = anyApi;
export const internal = anyApi;
