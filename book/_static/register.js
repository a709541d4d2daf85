/* The claims register: text search, filters, sort and a result count, kept in the page address. */
(function () {
  "use strict";
  var FIELDS = ["text", "chapter", "verdict", "document", "speaker", "sort"];
  var ORDER = ["accurate", "approximately right", "overstated", "understated", "misleading", "wrong", "cannot be verified"];

  function el(id) { return document.getElementById("filter-" + id); }

  /* "12,199" and "12199" match the same claims; so do "17%" and "17". */
  function normalise(text) {
    return text.toLowerCase().replace(/(\d),(?=\d{3})/g, "$1").replace(/%/g, " ").trim();
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (f) {
      var key = f === "text" ? "q" : f, value = params.get(key);
      if (value !== null && el(f)) { el(f).value = value; }
    });
  }

  function writeState() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (f) {
      var value = el(f) && el(f).value;
      if (value) { params.set(f === "text" ? "q" : f, value); }
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(null, "", url);
  }

  function apply() {
    var body = document.querySelector("#register-claims tbody");
    if (!body) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var words = normalise(el("text").value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (tr) {
      var d = tr.dataset, hay = normalise(d.search || "");
      var ok = (!el("chapter").value || d.chapter === el("chapter").value) &&
        (!el("verdict").value || d.verdict === el("verdict").value) &&
        (!el("document").value || d.document === el("document").value) &&
        (!el("speaker").value || d.speaker === el("speaker").value) &&
        words.every(function (w) { return hay.indexOf(w) !== -1; });
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var sort = el("sort").value;
    rows.sort(function (a, b) {
      var x = a.dataset, y = b.dataset, c = 0;
      if (sort === "verdict") { c = ORDER.indexOf(x.verdict) - ORDER.indexOf(y.verdict); }
      else if (sort === "chapter") { c = x.chapter.localeCompare(y.chapter); }
      else if (sort === "claim") { c = a.cells[0].textContent.localeCompare(b.cells[0].textContent); }
      return c || (Number(x.order) - Number(y.order));
    });
    rows.forEach(function (tr) { body.appendChild(tr); });
    document.getElementById("register-count").textContent = shown + " of " + rows.length + " claims shown.";
    writeState();
  }

  function start() {
    if (!el("text")) { return; }
    readState();
    FIELDS.forEach(function (f) { el(f).addEventListener(f === "text" ? "input" : "change", apply); });
    apply();
    if (window.location.hash) {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target) { target.hidden = false; target.scrollIntoView(); }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
