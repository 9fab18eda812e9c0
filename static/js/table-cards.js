/* Wide staff tables as cards on phones. A table marked data-cards gets, in each body cell, the
 * name of its column (data-label), and the class cards-on-phone, whose CSS stacks each row as a
 * card below 40rem with those names as labels. Without JS the table stays a table and scrolls
 * sideways inside its frame. */
(function () {
  "use strict";
  document.querySelectorAll("table[data-cards]").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/\s+/g, " ").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var label = heads[column];
        if (label && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("cards-on-phone");
  });
})();
