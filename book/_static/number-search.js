/* Site search finds a claim by its figure, in the forms speakers write it: "12,579", "12579", "17%",
   "17 per cent", "c71,000", "£600m" all work.  Sphinx's search drops query words made only of digits,
   so a figure is rewritten to the "num" form (num12579, num17, num14p5) that every claim carries in the
   search index.  Defined before searchtools.js, which keeps this splitQuery.

   A result found by a figure links to the claim itself (its entry at a glance, #claim-<id>), and its
   snippet is that claim's words and verdict; every snippet leaves out the hidden search forms. */
var splitQuery = function (query) {
  return query
    .replace(/(\d)\s*(?:per\s*cent|percent|%)/gi, "$1 ")     // 17 per cent, 17% -> 17
    .replace(/(^|[^\p{Letter}])c\.?\s?(?=\d)/giu, "$1")      // c71,000, c.150,000 -> 71,000
    .replace(/(\d),(?=\d{3})/g, "$1")                        // 71,000 -> 71000
    .replace(/(\d)\.(\d)/g, "$1p$2")                         // 14.5 -> 14p5
    .replace(/(\d)(?:m|bn|k)\b/gi, "$1")                     // £600m -> 600
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(function (term) { return term; })
    .map(function (term) { return /^\d[\dp]*$/.test(term) ? "num" + term : term; });
};

(function () {
  "use strict";

  /* The claim on a fetched page that carries one of the searched figures: [its id, its visible text]. */
  function claimFor(doc, keywords) {
    var figures = keywords.filter(function (k) { return /^num\d/.test(k); });
    if (!figures.length) { return null; }
    var items = doc.querySelectorAll('li[id^="claim-"], tr[id^="register-"]');
    for (var i = 0; i < items.length; i++) {
      var hidden = items[i].querySelector("span[hidden]");
      var forms = hidden ? hidden.textContent.split(/\s+/) : [];
      if (figures.every(function (f) { return forms.indexOf(f) !== -1; })) {
        var copy = items[i].cloneNode(true);
        copy.querySelectorAll("[hidden], .permalink").forEach(function (el) { el.remove(); });
        return [items[i].id, copy.textContent.replace(/\s+/g, " ").trim()];
      }
    }
    return null;
  }

  function patch() {
    if (typeof Search === "undefined" || Search._numbersPatched) { return; }
    Search._numbersPatched = true;
    var toText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll("[hidden]").forEach(function (el) { el.remove(); });
      return toText(doc.documentElement.outerHTML, anchor).replace(/\s+/g, " ");
    };
    var summarise = Search.makeSearchSummary;
    Search.makeSearchSummary = function (htmlText, keywords, anchor) {
      var found = claimFor(new DOMParser().parseFromString(htmlText, "text/html"), Array.from(keywords));
      if (!found) { return summarise(htmlText, keywords, anchor); }
      var summary = document.createElement("p");
      summary.classList.add("context");
      summary.textContent = found[1].length > 260 ? found[1].slice(0, 257) + "..." : found[1];
      setTimeout(function () {  // the result's link, made before the page was fetched, goes to the claim
        var link = summary.parentNode && summary.parentNode.querySelector("a");
        if (link) { link.href = link.href.split("#")[0] + "#" + found[0]; }
      }, 0);
      return summary;
    };
  }

  // searchtools.js is loaded after this file and starts the search when the page is ready; patch first.
  document.addEventListener("DOMContentLoaded", patch);
})();
