/* The review queue: the checkbox in the header ticks or clears every report. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("[data-select-all]")) return;
    var boxes = document.querySelectorAll(
      'input[type="checkbox"][name="' + all.dataset.selectAll + '"]'
    );
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
