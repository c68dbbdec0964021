// Runs in <head> before the first paint: apply the saved theme (else follow the system).
(function () {
  try {
    var saved = localStorage.getItem("mentor-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (e) {
    /* storage may be disabled: follow the system */
  }
})();
