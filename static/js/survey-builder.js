/* The question builder's options, inline: add rows without limit, remove and reorder them.
   Without this script the same form works with the order numbers, the Remove boxes and
   "Save and add another option". */
(function () {
  "use strict";
  var box = document.getElementById("choices");
  if (!box) return;
  var prefix = box.getAttribute("data-prefix");
  var list = document.getElementById("choice-rows");
  var template = document.getElementById("choice-template");
  var total = box.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
  var max = box.querySelector('[name="' + prefix + '-MAX_NUM_FORMS"]');

  box.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  box.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("#question-form > .actions .no-js-only").forEach(function (el) {
    el.hidden = true;
  });

  function rows() {
    return Array.prototype.filter.call(list.querySelectorAll("[data-row]"), function (row) {
      return !row.hidden;
    });
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  // Order numbers follow the rows on screen; a blank new row keeps none, so it stays ignored.
  function renumber() {
    var n = 0;
    rows().forEach(function (row) {
      var id = field(row, "id");
      var label = field(row, "label");
      var used = (id && id.value) || (label && label.value.trim());
      var order = field(row, "ORDER");
      if (order) order.value = used ? String(++n) : "";
    });
  }

  function addRow() {
    var index = Number(total.value);
    if (max && index >= Number(max.value)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    row.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    row.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
    list.appendChild(row);
    total.value = String(index + 1);
    var label = field(row, "label");
    if (label) label.focus();
  }

  document.getElementById("add-choice").addEventListener("click", addRow);

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest("[data-row]");
    if (button.hasAttribute("data-remove")) {
      var remove = field(row, "DELETE");
      if (remove) remove.checked = true;
      row.hidden = true;
      var next = rows()[0];
      if (next) field(next, "label").focus();
    } else if (button.hasAttribute("data-move")) {
      var visible = rows();
      var at = visible.indexOf(row);
      var other = visible[button.getAttribute("data-move") === "up" ? at - 1 : at + 1];
      if (!other) return;
      if (button.getAttribute("data-move") === "up") list.insertBefore(row, other);
      else list.insertBefore(other, row);
      button.focus();
    }
    renumber();
  });
  list.addEventListener("input", renumber);
  renumber();
})();
