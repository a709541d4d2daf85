/* The claims register: text search, filters, sort and a result count, kept in the page address.
   Only the first claims that match are laid out (REGISTER_PAGE, from the count's data-page); "Show
   more claims" adds as many again.  Without script every row is shown (the CSS that folds the later
   rows applies only once the page's first script has run). */
(function () {
  "use strict";
  var FIELDS = ["text", "chapter", "verdict", "document", "speaker", "sort"];
  var ORDER = ["accurate", "approximately right", "overstated", "understated", "misleading", "wrong", "cannot be verified"];
  var page = 40, limit = 40, sorted = "";

  function el(id) { return document.getElementById("filter-" + id); }

  /* "12,199" and "12199" match the same claims; so do "17%" and "17". */
  function normalise(text) {
    return text.toLowerCase().replace(/(\d),(?=\d{3})/g, "$1").replace(/%/g, " ").trim();
  }

  function readState() {
    var params = new URLSearchParams(window.location.search), any = false;
    FIELDS.forEach(function (f) {
      var key = f === "text" ? "q" : f, value = params.get(key);
      if (value !== null && el(f)) { el(f).value = value; any = true; }
    });
    return any;
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

  function matches(tr, words) {
    var d = tr.dataset, hay = normalise(d.search || "");
    return (!el("chapter").value || d.chapter === el("chapter").value) &&
      (!el("verdict").value || d.verdict === el("verdict").value) &&
      (!el("document").value || d.document === el("document").value) &&
      (!el("speaker").value || d.speaker === el("speaker").value) &&
      words.every(function (w) { return hay.indexOf(w) !== -1; });
  }

  function reorder(body, rows) {
    var sort = el("sort").value;
    if (sort === sorted) { return rows; }
    rows.sort(function (a, b) {
      var x = a.dataset, y = b.dataset, c = 0;
      if (sort === "verdict") { c = ORDER.indexOf(x.verdict) - ORDER.indexOf(y.verdict); }
      else if (sort === "chapter") { c = x.chapter.localeCompare(y.chapter); }
      else if (sort === "claim") { c = a.cells[0].textContent.localeCompare(b.cells[0].textContent); }
      return c || (Number(x.order) - Number(y.order));
    });
    rows.forEach(function (tr) { body.appendChild(tr); });
    sorted = sort;
    return rows;
  }

  /* the "Show more claims" button, for `left` claims not yet laid out */
  function offerMore(left) {
    var more = document.getElementById("register-more");
    more.hidden = left <= 0;
    more.textContent = "Show more claims (" + Math.min(page, left) + " of " + left + " more)";
  }

  function apply(keep) {
    var body = document.querySelector("#register-claims tbody");
    if (!body) { return; }
    var rows = reorder(body, Array.prototype.slice.call(body.rows));
    var words = normalise(el("text").value).split(/\s+/).filter(Boolean);
    var found = 0, shown = 0;
    rows.forEach(function (tr) {
      var ok = matches(tr, words);
      if (ok) { found += 1; }
      var show = ok && (found <= limit || tr === keep);
      if (show) { shown += 1; }
      tr.hidden = !show;
      tr.classList.remove("register-later");
    });
    offerMore(found - shown);
    document.getElementById("register-count").textContent = "Showing " + shown + " of " + found +
      (found === rows.length ? "" : " matching") + " claims (" + rows.length + " in the register).";
    writeState();
  }

  function start() {
    if (!el("text")) { return; }
    var count = document.getElementById("register-count");
    page = limit = Number(count.dataset.page) || page;
    var filtered = readState();
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    function changed() { limit = page; apply(); }
    FIELDS.forEach(function (f) { el(f).addEventListener(f === "text" ? "input" : "change", changed); });
    document.getElementById("register-more").addEventListener("click", function () { limit += page; apply(); });
    if (filtered || (target && target.classList.contains("register-later"))) {
      apply(target || null);
    } else {
      /* the first page is already the one the CSS shows: nothing to lay out again */
      var total = document.querySelectorAll("#register-claims tbody tr").length;
      offerMore(total - limit);
      count.textContent = "Showing " + Math.min(limit, total) + " of " + total + " claims.";
    }
    if (target) { target.hidden = false; target.scrollIntoView(); }
    /* a link to a claim not yet laid out (from a chapter page, or the address bar) shows it */
    window.addEventListener("hashchange", function () {
      var row = document.getElementById(window.location.hash.slice(1));
      if (row && row.closest("#register-claims") && (row.hidden || row.classList.contains("register-later"))) {
        apply(row);
        row.scrollIntoView();
      }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
