// The sidebar's search box: results from GET /api/search as you type (debounced), each opening
// the printable note at its spot (/sections/N#anchor). Keyboard: "/" focuses the box (and
// opens the drawer on a phone), arrows move, Enter opens, Escape clears and closes.
// Rule, as in chat.js: text from the server is only ever set with textContent.
(function () {
  "use strict";

  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list) return;

  var DEBOUNCE_MS = 150;
  var K = 8;
  var timer = null;
  var controller = null;
  var active = -1;
  var lastQuery = "";

  function href(hit) {
    // the server names the spot: a heading's anchor, or a bank question's entry
    return "/sections/" + hit.section + "#" + hit.anchor;
  }

  function options() { return list.querySelectorAll("[role=option]"); }

  function setActive(i) {
    var opts = options();
    if (!opts.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
    active = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function snippet(text) {
    var plain = text.replace(/```[\s\S]*?```/g, " ").replace(/[#*_`>|]+/g, " ").replace(/\s+/g, " ").trim();
    return plain.length > 110 ? plain.slice(0, 107) + "…" : plain;
  }

  function render(hits) {
    list.textContent = "";
    if (!hits.length) {
      var empty = document.createElement("li");
      empty.className = "search__empty";
      empty.textContent = "No matches in the notes.";
      list.appendChild(empty);
    }
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "search-opt-" + i;
      li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = href(hit);
      a.tabIndex = -1;
      var head = document.createElement("span");
      head.className = "search__head";
      var num = document.createElement("span");
      num.className = "search__num";
      num.textContent = "§" + hit.section;
      var title = document.createElement("span");
      title.className = "search__title";
      title.textContent = hit.heading;
      head.appendChild(num);
      head.appendChild(title);
      var text = document.createElement("span");
      text.className = "search__snippet";
      text.textContent = snippet(hit.text || "");
      a.appendChild(head);
      a.appendChild(text);
      li.appendChild(a);
      li.addEventListener("mousemove", function () { if (active !== i) setActive(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = hits.length ? hits.length + " results" : "No matches";
    active = -1;
    if (hits.length) setActive(0);
  }

  function search(q) {
    if (controller) controller.abort();
    controller = new AbortController();
    var url = "/api/search?q=" + encodeURIComponent(q) + "&k=" + K;
    fetch(url, { credentials: "same-origin", signal: controller.signal })
      .then(function (res) { return res.ok ? res.json() : []; })
      .then(function (hits) { if (q === lastQuery) render(Array.isArray(hits) ? hits : []); })
      .catch(function (e) { if (e.name !== "AbortError") close(); });
  }

  input.addEventListener("input", function () {
    var q = input.value.trim();
    lastQuery = q;
    clearTimeout(timer);
    if (q.length < 2) { if (controller) controller.abort(); close(); return; }
    timer = setTimeout(function () { search(q); }, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (list.hidden) return;
      e.preventDefault();
      setActive(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      var opts = options();
      if (list.hidden || !opts.length) return;
      e.preventDefault();
      window.location.assign(opts[Math.max(active, 0)].querySelector("a").href);
    } else if (e.key === "Escape") {
      e.stopPropagation(); // the drawer stays open: Escape again closes it
      if (!list.hidden) { close(); } else { input.value = ""; lastQuery = ""; input.blur(); }
    }
  });

  input.addEventListener("blur", function () {
    // after a click on a result has had its chance to navigate
    setTimeout(function () { if (document.activeElement !== input) close(); }, 150);
  });
  input.addEventListener("focus", function () {
    if (list.childElementCount && input.value.trim().length >= 2) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    var sidebar = document.getElementById("sidebar");
    var menu = document.getElementById("menu-toggle");
    if (sidebar && menu && getComputedStyle(sidebar).visibility === "hidden") menu.click();
    input.focus();
    input.select();
  });
})();
