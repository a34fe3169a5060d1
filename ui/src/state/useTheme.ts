// Applies the theme: the user's choice, or the OS's light/dark setting when it is "system".
import { useEffect, useState } from "react";
import type { ThemePreference } from "../generated/studio";

export type ResolvedTheme = "light" | "dark";

export function resolveTheme(preference: ThemePreference, osPrefersDark: boolean): ResolvedTheme {
  if (preference === "system") return osPrefersDark ? "dark" : "light";
  return preference;
}

export function useTheme(preference: ThemePreference = "system"): ResolvedTheme {
  const query = "(prefers-color-scheme: dark)";
  const [osDark, setOsDark] = useState(() => window.matchMedia?.(query).matches ?? false);

  useEffect(() => {
    const media = window.matchMedia?.(query);
    if (!media) return;
    const onChange = () => setOsDark(media.matches);
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);

  const theme = resolveTheme(preference, osDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}
