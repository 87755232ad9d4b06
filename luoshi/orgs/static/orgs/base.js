/* Behaviour every page shares (loaded by base.html; no inline handlers: the CSP forbids them).
 * A <select data-submit-on-change> submits its form when changed (the language switch).
 * Every table of the content scrolls in its own box when wider than the page, and its cells
 * carry their column's header in data-label: under 576 px the rows become cards and each cell
 * shows that label (luoshi.css). Tables added later (htmx, the dashboards) get the same. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });

  // A header's own words: its text nodes ("十一月" of the matrix, not its links and forms),
  // else all of its text (a header that is a link).
  function headerText(th) {
    if (th.dataset.label) return th.dataset.label;
    var own = "";
    th.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) own += node.textContent;
    });
    return (own.trim() || th.textContent).replace(/\s+/g, " ").trim();
  }

  function label(table) {
    if (!table.classList.contains("table") || !table.closest("main")) return;
    var parent = table.parentElement;
    if (!parent.classList.contains("table-responsive")) {
      var box = document.createElement("div");
      box.className = "table-responsive";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < th.colSpan; i++) labels.push(th.colSpan === 1 ? headerText(th) : "");
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var covered = [];  // per column: the rows still taken by a rowspan from above
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          while (covered[column] > 0) column += 1;
          if (cell.colSpan === 1 && labels[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", labels[column]);
          }
          for (var i = 0; i < cell.colSpan; i++) covered[column + i] = cell.rowSpan;
          column += cell.colSpan;
        });
        covered = covered.map(function (rows) { return rows - 1; });
      });
    });
  }

  // The tables of the page, then those added later (htmx swaps, the dashboards' tables).
  var main = document.querySelector("main");
  if (!main) return;
  main.querySelectorAll("table").forEach(label);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        var table = node.closest("table");
        if (table) label(table);
        else node.querySelectorAll("table").forEach(label);
      });
    });
  }).observe(main, { childList: true, subtree: true });
})();
