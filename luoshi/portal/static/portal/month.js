/* The portal's month page: the search box shows the measures whose text, departments or
 * progress hold every word typed, and unfolds their key tasks; an empty box folds them again. */
(function () {
  "use strict";
  var box = document.querySelector("[data-portal-search]");
  if (!box) return;
  var input = box.querySelector("input");
  var summary = box.querySelector("[data-search-summary]");
  var tasks = Array.prototype.slice.call(document.querySelectorAll("details.task"));
  box.hidden = false;
  input.addEventListener("input", function () {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var found = 0;
    tasks.forEach(function (task) {
      var title = task.querySelector("summary").textContent.toLowerCase();
      var shown = 0;
      task.querySelectorAll(".measure").forEach(function (measure) {
        var text = title + " " + measure.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        measure.hidden = !match;
        if (match) shown += 1;
      });
      task.hidden = shown === 0;
      task.open = words.length > 0 && shown > 0;
      found += shown;
    });
    if (!words.length) summary.textContent = "";
    else if (found) summary.textContent = summary.dataset.msgFound + " " + found;
    else summary.textContent = summary.dataset.msgNone;
  });
})();
