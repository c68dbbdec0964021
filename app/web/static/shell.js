// The app shell on every page: the sidebar drawer on narrow screens, the theme toggle, the
// sidebar's "sections seen" bar. Plain script, no inline code (the CSP forbids it).
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var sidebar = $("sidebar");
  var scrim = $("scrim");
  var menuBtn = $("menu-toggle");

  // --- sidebar drawer (narrow screens) ---------------------------------------------------
  function openSidebar() {
    sidebar.classList.add("is-open");
    scrim.hidden = false;
    menuBtn.setAttribute("aria-expanded", "true");
    var first = sidebar.querySelector("a, button");
    if (first) first.focus();
  }

  function closeSidebar() {
    if (!sidebar.classList.contains("is-open")) return;
    sidebar.classList.remove("is-open");
    scrim.hidden = true;
    menuBtn.setAttribute("aria-expanded", "false");
  }

  if (sidebar && menuBtn) {
    menuBtn.addEventListener("click", openSidebar);
    $("sidebar-close").addEventListener("click", function () { closeSidebar(); menuBtn.focus(); });
    scrim.addEventListener("click", closeSidebar);
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && sidebar.classList.contains("is-open")) { closeSidebar(); menuBtn.focus(); }
    });
    // a section or a page picked in the drawer closes it (chat.js may keep the user on the page)
    sidebar.addEventListener("click", function (e) {
      if (e.target.closest("a[href], [data-prompt]")) closeSidebar();
    });
  }

  // --- theme -----------------------------------------------------------------------------
  var themeBtn = $("theme-toggle");
  function currentTheme() {
    var set = document.documentElement.getAttribute("data-theme");
    if (set) return set;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function labelTheme() {
    var next = currentTheme() === "dark" ? "light" : "dark";
    themeBtn.setAttribute("aria-label", "Switch to the " + next + " theme");
    themeBtn.title = "Switch to the " + next + " theme";
  }
  if (themeBtn) {
    themeBtn.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem("mentor-theme", next); } catch (e) { /* ignore */ }
      labelTheme();
      document.dispatchEvent(new CustomEvent("mentor:theme", { detail: next }));
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
      labelTheme();
      document.dispatchEvent(new CustomEvent("mentor:theme", { detail: currentTheme() }));
    });
    labelTheme();
  }

  // --- the sidebar's "sections seen" bar --------------------------------------------------
  var fill = $("progress-fill");
  if (fill) fill.style.width = (parseInt(fill.dataset.value || "0", 10) / 20) * 100 + "%";
})();
