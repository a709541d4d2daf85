/* Site search finds a claim by its figure: "12,579", "12579", "17%" and "17" all work.
   Sphinx's search drops query words made only of digits, so a figure is rewritten to the
   "num" form (num12579, num17, num14p5) that every claim carries in the search index.
   Defined before searchtools.js, which keeps this splitQuery. */
var splitQuery = function (query) {
  return query
    .replace(/(\d),(?=\d{3})/g, "$1")
    .replace(/(\d)\.(\d)/g, "$1p$2")
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(function (term) { return term; })
    .map(function (term) { return /^\d[\dp]*$/.test(term) ? "num" + term : term; });
};
