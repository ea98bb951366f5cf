// Small behaviours of every page, bound here because the Content-Security-Policy allows no
// inline script or event handler:
// - a button with data-print prints the page;
// - a <select data-submit-on-change> submits its form when changed (only where the form says
//   so to the user beforehand, WCAG 3.2.2);
// - a field with data-reloads announces "desk:reload" when changed, for an htmx container
//   that reloads a part of the form (hx-trigger="desk:reload"; htmx's [filter] expressions
//   would need eval, which the policy forbids).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches) return;
    if (field.matches("select[data-submit-on-change]") && field.form) {
      field.form.requestSubmit();
    }
    if (field.matches("[data-reloads]")) {
      field.dispatchEvent(new CustomEvent("desk:reload", { bubbles: true }));
    }
  });
})();
