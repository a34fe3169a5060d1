// One `LatestCall` per component (see latestCall.ts), the same object on every render.
import { useState } from "react";
import { type LatestCall, latestCall } from "./latestCall";

export type { LatestCall } from "./latestCall";

export function useLatestCall(): LatestCall {
  return useState(latestCall)[0];
}
