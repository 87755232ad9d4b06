/* Behaviour every page shares (loaded by base.html; no inline handlers: the CSP forbids them).
 * A <select data-submit-on-change> submits its form when changed (the language switch). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });
})();
