// The editor's error marker: the reported line tinted, the reported character underlined,
// the message as the line's tooltip. Set with `setErrorMarker`, cleared with null or when
// the marked line is edited (the error no longer describes it).
import { StateEffect, StateField, type Range } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

export interface ErrorPlace {
  /** Document offsets: the marked line's start, and the reported character. */
  line: number;
  at: number;
  message: string;
}

export const setErrorMarker = StateEffect.define<ErrorPlace | null>();

function decorations(place: ErrorPlace, docLength: number): DecorationSet {
  const ranges: Range<Decoration>[] = [Decoration.line({ class: "cm-error-line", attributes: { title: place.message, "data-testid": "editor-error-line" } }).range(place.line)];
  if (place.at < docLength) ranges.push(Decoration.mark({ class: "cm-error-at" }).range(place.at, place.at + 1));
  return Decoration.set(ranges, true);
}

export const errorMarker = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setErrorMarker)) return effect.value ? decorations(effect.value, tr.state.doc.length) : Decoration.none;
    }
    if (!tr.docChanged || marks.size === 0) return marks;
    // An edit on the marked line clears the marker; edits elsewhere move it along.
    let touched = false;
    const line = marks.iter().from;
    const { from, to } = tr.startState.doc.lineAt(line);
    tr.changes.iterChangedRanges((a, b) => {
      if (a <= to && b >= from) touched = true;
    });
    return touched ? Decoration.none : marks.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});
