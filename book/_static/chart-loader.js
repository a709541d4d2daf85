// Charts draw when they come near the screen, not on load: the Vega bundle (about 300 KB) is fetched
// when the first chart is half a screen away, and each chart is drawn as it approaches.  Until then the
// chart's title, finding, source line, CSV download and data table stand in, and they stay for readers
// without script.  Each chart's own script registers its draw function in window.bookCharts.
(function () {
  "use strict";
  var me = document.currentScript;
  var bundle = me && me.getAttribute("data-vega");
  var loading = null;

  function vega() {
    if (window.vegaEmbed) { return Promise.resolve(); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = bundle;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(box) {
    var job = (window.bookCharts || {})[box.id];
    if (!job || box.dataset.drawn) { return; }
    box.dataset.drawn = "1";
    vega().then(job).catch(function (e) { console.error(e); });
  }

  function start() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".vega-chart"));
    if (!("IntersectionObserver" in window)) { boxes.forEach(draw); return; }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { seen.unobserve(entry.target); draw(entry.target); }
      });
    }, { rootMargin: "50% 0px" });
    boxes.forEach(function (box) { seen.observe(box); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
