// The theme's own scripts (Bootstrap and pydata-sphinx-theme: menus, the theme switch, search, the
// table-of-contents highlight) are about 100 KB and half a second of a phone's main thread, and the page
// needs none of them to be read.  They load when the reader first touches, clicks or presses a key; a
// click on one of the theme's buttons waits for them and is then passed on, so the button still works.
(function () {
  "use strict";
  var me = document.currentScript;
  var sources = ((me && me.getAttribute("data-load")) || "").split(" ").filter(Boolean);
  var BUTTONS = ".primary-toggle, .secondary-toggle, .theme-switch-button, .search-button, " +
    ".search-button__button, [data-bs-toggle], #pst-collapse-sidebar-button, .dropdown-toggle";
  var state = "waiting", held = [];

  function load() {
    if (state !== "waiting") { return; }
    state = "loading";
    (function next(i) {
      if (i >= sources.length) {
        state = "ready";
        held.splice(0).forEach(function (button) { button.click(); });
        return;
      }
      var script = document.createElement("script");
      script.src = sources[i];
      script.onload = script.onerror = function () { next(i + 1); };
      document.head.appendChild(script);
    })(0);
  }

  document.addEventListener("click", function (event) {
    if (state === "ready") { return; }
    var button = event.target.closest && event.target.closest(BUTTONS);
    if (button) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (held.indexOf(button) < 0) { held.push(button); }
    }
    load();
  }, true);
  ["pointerdown", "touchstart", "keydown"].forEach(function (name) {
    document.addEventListener(name, load, { once: true, passive: true, capture: true });
  });
})();
