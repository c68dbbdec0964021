// The pieces of CodeMirror 6 that app/web/static/editor.js uses, exposed as one global
// (window.CodeMirror) by tools/editor/build.sh. Only what is listed here ends up in the bundle.
export { Compartment, EditorState, RangeSet, StateEffect, StateField } from "@codemirror/state";
export {
  EditorView,
  Decoration,
  GutterMarker,
  gutter,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightSpecialChars,
  placeholder,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  StreamLanguage,
  syntaxHighlighting,
  bracketMatching,
} from "@codemirror/language";
export { classHighlighter } from "@lezer/highlight";
export { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";
export { yaml } from "@codemirror/legacy-modes/mode/yaml";
export { shell } from "@codemirror/legacy-modes/mode/shell";
