// A page's citation: the reader's date accessed, and a button that copies the citation (text or BibTeX).
(function () {
  "use strict";
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function start() {
    var date = today();
    document.querySelectorAll(".cite-accessed").forEach(function (s) { s.textContent = date; });
    document.querySelectorAll(".cite-bibtex pre").forEach(function (p) {
      p.textContent = p.textContent.replace("urldate = {}", "urldate = {" + date + "}");
    });
    document.querySelectorAll(".cite-copy").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = button.parentNode.querySelector(".cite-text").textContent.replace(/\s+/g, " ").trim();
        navigator.clipboard.writeText(text).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy the citation"; }, 2000);
        });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
