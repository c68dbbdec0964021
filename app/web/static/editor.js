// The hands-on answer editor: upgrades <textarea id="task-answer"> to CodeMirror 6 (vendored in
// /static/vendor/codemirror/, rebuilt by tools/editor/build.sh) with Dockerfile / YAML / shell
// highlighting, line numbers and the checker's findings pinned to their lines.
// Progressive enhancement: the textarea stays the submitted field (progress.js reads it), kept in
// sync on every change; without JS, or when the bundle does not load, the textarea is used as is.
// The editor lives in a shadow root: there CodeMirror mounts its styles as a constructed
// stylesheet, where in the document it would add a <style> element that the CSP (style-src
// 'self') blocks. editor.css is linked in both: variables and the page's parts outside, the
// editor's tokens and marks inside; the custom properties (light/dark) inherit into it.
(function () {
  "use strict";

  const CM = window.CodeMirror;
  const source = document.getElementById("task-answer");
  const form = document.getElementById("task-form");
  if (!CM || !source || !form) return;

  const picker = document.getElementById("task-picker");
  const label = document.querySelector('label[for="task-answer"]');
  const help = document.getElementById("task-answer-help");
  const host = document.getElementById("task-editor");

  // -- the language follows the task kind ----------------------------------------------------
  const LANGUAGES = {
    dockerfile: { name: "dockerfile", mode: CM.dockerFile, hint: "FROM … (your Dockerfile)" },
    compose: { name: "yaml", mode: CM.yaml, hint: "services: … (your compose.yaml)" },
    docker_run: { name: "shell", mode: CM.shell, hint: "docker run … (your command)" },
    docker_cli: { name: "shell", mode: CM.shell, hint: "docker … (your commands)" },
  };
  const defined = new Map(); // legacy mode -> its StreamLanguage, defined once

  function languageFor(kind) {
    const lang = LANGUAGES[kind] || LANGUAGES.docker_cli;
    if (!defined.has(lang.mode)) defined.set(lang.mode, CM.StreamLanguage.define(lang.mode));
    return { lang, extension: [defined.get(lang.mode), CM.placeholder(lang.hint)] };
  }

  function currentKind() {
    const option = picker && picker.selectedOptions[0];
    return option ? option.dataset.kind : "";
  }

  // -- findings pinned to lines: a gutter marker and a line class, mapped through edits --------
  class FindingMarker extends CM.GutterMarker {
    constructor(kind) {
      super();
      this.kind = kind;
    }
    eq(other) {
      return other.kind === this.kind;
    }
    toDOM() {
      const mark = document.createElement("span");
      mark.className = "cm-finding-mark cm-finding-mark--" + this.kind;
      // a shape as well as a colour: "!" for a failed rule, "i" for a note
      mark.textContent = this.kind === "fail" ? "!" : "i";
      return mark;
    }
  }
  const MARKERS = { fail: new FindingMarker("fail"), note: new FindingMarker("note") };

  const setFindings = CM.StateEffect.define();
  const findingsField = CM.StateField.define({
    create() {
      return { lines: CM.Decoration.none, marks: CM.RangeSet.empty };
    },
    update(value, tr) {
      let next = value;
      if (tr.docChanged) {
        next = { lines: value.lines.map(tr.changes), marks: value.marks.map(tr.changes) };
      }
      for (const effect of tr.effects) {
        if (effect.is(setFindings)) next = build(tr.state.doc, effect.value);
      }
      return next;
    },
    provide: (field) => CM.EditorView.decorations.from(field, (value) => value.lines),
  });

  // pins: [{line, kind: "fail" | "note", text}]; lines past the end of the answer are dropped
  function build(doc, pins) {
    const byLine = new Map();
    pins.forEach(function (pin) {
      if (pin.line < 1 || pin.line > doc.lines) return;
      const seen = byLine.get(pin.line) || { kind: "note", texts: [] };
      if (pin.kind === "fail") seen.kind = "fail";
      seen.texts.push(pin.text);
      byLine.set(pin.line, seen);
    });
    const lines = [];
    const marks = [];
    Array.from(byLine.keys()).sort(function (a, b) { return a - b; }).forEach(function (n) {
      const pin = byLine.get(n);
      const from = doc.line(n).from;
      const deco = CM.Decoration.line({
        class: "cm-finding-line cm-finding-line--" + pin.kind,
        attributes: { title: pin.texts.join("\n"), "data-finding-line": String(n) },
      });
      lines.push(deco.range(from));
      marks.push(MARKERS[pin.kind].range(from));
    });
    return { lines: CM.Decoration.set(lines), marks: CM.RangeSet.of(marks) };
  }

  const findingsGutter = CM.gutter({
    class: "cm-findings-gutter",
    markers: (view) => view.state.field(findingsField).marks,
    initialSpacer: () => MARKERS.fail,
  });

  // -- the editor ---------------------------------------------------------------------------
  // colours come from CSS custom properties (editor.css), so the light and dark themes and the
  // toggle need no reconfiguration; this theme outranks CodeMirror's light base theme
  const theme = CM.EditorView.theme({
    "&": {
      color: "var(--text)",
      backgroundColor: "var(--code-bg)",
      border: "1px solid var(--border)",
      borderRadius: "8px",
      fontSize: "0.9rem",
      minHeight: "16em",
      maxHeight: "32em",
    },
    "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
    ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5", borderRadius: "8px" },
    ".cm-content": { caretColor: "var(--text)", padding: "8px 0", minHeight: "15em" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
    ".cm-gutters": {
      backgroundColor: "var(--panel-2)",
      color: "var(--muted)",
      borderRight: "1px solid var(--border)",
    },
    ".cm-lineNumbers .cm-gutterElement": { padding: "0 6px 0 8px" },
    ".cm-activeLine": { backgroundColor: "var(--editor-active-line)" },
    ".cm-placeholder": { color: "var(--muted)" },
  });

  const language = new CM.Compartment();
  let kind = currentKind();
  let chosen = languageFor(kind);

  function syncSource(view) {
    source.value = view.state.doc.toString();
    // progress.js counts characters on "input"
    source.dispatchEvent(new Event("input", { bubbles: true }));
  }

  const shade = host.appendChild(document.createElement("div"));
  shade.className = "task-editor__shadow";
  const root = shade.attachShadow({ mode: "open" });
  const sheet = root.appendChild(document.createElement("link"));
  sheet.rel = "stylesheet";
  sheet.href = "/static/editor.css";
  if (help) {
    root.appendChild(help); // in the editor's tree, so aria-describedby can name it
    help.hidden = false;
  }
  const mount = root.appendChild(document.createElement("div"));
  mount.className = "task-editor__view";

  const view = new CM.EditorView({
    parent: mount,
    root: root,
    state: CM.EditorState.create({
      doc: source.value,
      extensions: [
        CM.lineNumbers(),
        findingsGutter,
        findingsField,
        CM.highlightSpecialChars(),
        CM.history(),
        CM.highlightActiveLine(),
        CM.bracketMatching(),
        CM.syntaxHighlighting(CM.classHighlighter), // tok-* classes, coloured in editor.css
        language.of(chosen.extension),
        // Tab indents (two spaces); Escape then Tab moves focus on (CodeMirror's tab-focus mode)
        CM.keymap.of([...CM.defaultKeymap, ...CM.historyKeymap, CM.indentWithTab]),
        CM.EditorState.tabSize.of(2),
        CM.EditorView.contentAttributes.of({
          // the <label> is outside the shadow root: an id reference cannot cross into it
          "aria-label": label ? label.textContent.trim() : "Your answer",
          "aria-describedby": "task-answer-help",
          "aria-multiline": "true",
          // (a contenteditable is in the tab order anyway; said outright, checkers such as axe
          // see that the scrolling area around it can be reached by keyboard)
          tabindex: "0",
          spellcheck: "false",
          autocapitalize: "off",
          autocorrect: "off",
        }),
        // text put over a selection (an input method's or a test driver's insertText) is applied
        // here: left to the browser, Chrome keeps the deleted text's colour as a style attribute,
        // which the CSP refuses with a console error. The event's target range is the DOM
        // selection, which CodeMirror may not have read yet.
        CM.EditorView.domEventHandlers({
          beforeinput(ev, v) {
            if (ev.inputType !== "insertText" || ev.isComposing || typeof ev.data !== "string") return false;
            // (the target ranges of an event inside a shadow root come out empty in Chrome)
            const ranges = ev.getTargetRanges();
            const sel = ranges.length ? null : v.root.getSelection ? v.root.getSelection() : document.getSelection();
            const target = ranges.length ? ranges[0] : sel && sel.rangeCount ? sel.getRangeAt(0) : null;
            if (!target || target.collapsed) return false;
            const from = v.posAtDOM(target.startContainer, target.startOffset);
            const to = v.posAtDOM(target.endContainer, target.endOffset);
            ev.preventDefault();
            v.dispatch({
              changes: { from: from, to: to, insert: ev.data },
              selection: { anchor: from + ev.data.length },
              userEvent: "input.type",
              scrollIntoView: true,
            });
            return true;
          },
        }),
        CM.EditorView.updateListener.of(function (update) {
          if (update.docChanged) syncSource(update.view);
        }),
        theme,
      ],
    }),
  });
  host.dataset.language = chosen.lang.name;
  host.classList.add("task-editor--ready");

  // the textarea leaves the page but stays the form's field: out of sight and of the tab order,
  // hidden from assistive technology; a script's focus() on it lands in the editor
  source.classList.add("sr-only"); // app.css
  source.setAttribute("aria-hidden", "true");
  source.tabIndex = -1;
  source.removeAttribute("required"); // progress.js refuses an empty answer with a message
  source.addEventListener("focus", function () { view.focus(); });
  if (label) {
    label.removeAttribute("for"); // the editor carries the label's text as its aria-label
    label.addEventListener("click", function () { view.focus(); });
  }

  function setLanguage() {
    const next = currentKind();
    if (next === kind) return;
    kind = next;
    chosen = languageFor(kind);
    host.dataset.language = chosen.lang.name;
    view.dispatch({ effects: [language.reconfigure(chosen.extension), setFindings.of([])] });
  }
  if (picker) picker.addEventListener("change", setLanguage);
  // progress.js may pick the task from ?task= once the page is parsed: follow it
  document.addEventListener("DOMContentLoaded", function () { setTimeout(setLanguage, 0); });

  // -- after a check: pin each failed rule and note to its line; the list links to the line ---
  function jumpTo(n) {
    const doc = view.state.doc;
    if (!(n >= 1 && n <= doc.lines)) return false;
    const line = doc.line(n);
    view.dispatch({
      selection: { anchor: line.from, head: line.to },
      effects: CM.EditorView.scrollIntoView(line.from, { y: "center" }),
    });
    view.focus();
    return true;
  }

  form.addEventListener("task-report", function (ev) {
    const report = ev.detail || {};
    const pins = (report.findings || [])
      .filter(function (f) { return !f.passed && f.line; })
      .map(function (f) {
        const note = f.role === "lint" || f.role === "hint";
        return { line: f.line, kind: note ? "note" : "fail", text: f.message };
      });
    view.dispatch({ effects: setFindings.of(pins) });
  });

  const findings = document.getElementById("task-findings");
  if (findings) {
    findings.addEventListener("click", function (ev) {
      const link = ev.target.closest("a[data-line]");
      if (link && jumpTo(Number(link.dataset.line))) ev.preventDefault();
    });
  }

  window.mentorEditor = { view: view, jumpTo: jumpTo }; // for the browser tests and the console
})();
