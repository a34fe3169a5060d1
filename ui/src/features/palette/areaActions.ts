// The main actions of the area on screen, as the command palette offers them. An area
// declares its actions with `useAreaActions` while it is mounted; the palette reads them
// when it opens. This module owns only that hand-over: it never runs an action itself.
import { useEffect, useRef } from "react";

export interface AreaAction {
  /** Stable within the area (`data.add`). */
  id: string;
  label: string;
  /** Words that find the action but are not shown. */
  keywords?: string;
  run(): void;
}

const declared = new Map<symbol, { actions: readonly AreaAction[]; global: boolean }>();

/**
 * Declares the calling component's actions while it is mounted (the latest render's);
 * `global` ones (the shell's) come after the area's.
 */
export function useAreaActions(actions: readonly AreaAction[], { global = false } = {}): void {
  const me = useRef<symbol>(null);
  useEffect(() => {
    me.current ??= Symbol("area-actions");
    declared.set(me.current, { actions, global });
  });
  useEffect(
    () => () => {
      if (me.current) declared.delete(me.current);
    },
    [],
  );
}

/** The actions declared now: the area's, then the global ones, each in mount order. */
export function currentAreaActions(): AreaAction[] {
  const all = [...declared.values()];
  return [...all.filter((d) => !d.global), ...all.filter((d) => d.global)].flatMap((d) => d.actions);
}
