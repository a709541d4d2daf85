// The chapter list on every width.  pydata-sphinx-theme 0.17 and sphinx-book-theme 1.3 each bind
// the first `.primary-toggle` / `.secondary-toggle` button of the page, which is the header button
// the book theme hides (`.bd-header button.sidebar-toggle {display: none}`); the visible buttons in
// the article header were never bound, so they did nothing.  Deferred, this runs before the themes'
// scripts bind their buttons: the hidden duplicates are removed and the visible buttons are the first.
document.querySelectorAll("#pst-header .primary-toggle, #pst-header .secondary-toggle")
  .forEach(function (button) { button.remove(); });
