// Lint for the UI: the recommended JavaScript, TypeScript and React hooks rules (rules of
// hooks, complete effect dependencies, the React Compiler's checks). `make lint` allows no
// warnings.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "src/generated"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    rules: {
      "react-hooks/exhaustive-deps": "error",
      // Off for now: a view, filter or schema reset when the table or spec changes is an
      // effect here (4 places); moving them to keys or render-time resets is its own change.
      "react-hooks/set-state-in-effect": "off",
    },
  },
);
