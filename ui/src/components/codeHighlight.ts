/**
 * Syntax colours for every code editor, read from the theme's CSS variables (`--code-*` in
 * styles.css), so code reads as well in dark as in light. CodeMirror's default style has
 * one palette, picked for light backgrounds.
 */
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

export const codeHighlight = syntaxHighlighting(
  HighlightStyle.define([
    {
      tag: [t.keyword, t.operatorKeyword, t.modifier, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.self],
      color: "var(--code-keyword)",
    },
    { tag: [t.string, t.special(t.string), t.regexp], color: "var(--code-string)" },
    { tag: [t.number, t.bool, t.null, t.atom], color: "var(--code-number)" },
    { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: "var(--code-comment)", fontStyle: "italic" },
    { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.variableName)], color: "var(--code-function)" },
    { tag: [t.typeName, t.className, t.namespace], color: "var(--code-type)" },
    { tag: [t.propertyName, t.definition(t.propertyName)], color: "var(--code-property)" },
    { tag: t.invalid, color: "var(--bad)" },
  ]),
);
