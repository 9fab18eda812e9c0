/* The question builder, inline: options added without limit, removed and reordered; each
   condition shows only the tests and options that fit the earlier question it reads. Without
   this script the same form works with the order numbers, the Remove boxes, "Save and add
   another option", and the server's messages beside a condition that does not fit. */
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

(function () {
  "use strict";
  var box = document.getElementById("conditions");
  var data = document.getElementById("condition-operators");
  if (!box || !data) return;
  var operators = JSON.parse(data.textContent);

  function sync(row) {
    var source = row.querySelector('select[name$="-source"]');
    var operator = row.querySelector('select[name$="-operator"]');
    var choice = row.querySelector('select[name$="-choice"]');
    var number = row.querySelector('input[name$="-number"]');
    var picked = source.options[source.selectedIndex];
    var kind = picked ? picked.getAttribute("data-kind") : null;
    if (!kind) return;
    var allowed = operators[kind] || [];
    Array.prototype.forEach.call(operator.options, function (option) {
      option.hidden = option.value !== "" && allowed.indexOf(option.value) === -1;
    });
    if (operator.value && allowed.indexOf(operator.value) === -1) operator.value = "";
    Array.prototype.forEach.call(choice.options, function (option) {
      option.hidden = option.value !== "" && option.getAttribute("data-source") !== source.value;
    });
    Array.prototype.forEach.call(choice.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    var answered = operator.value === "answered";
    var hasChoices = kind === "single" || kind === "multiple";
    choice.closest(".field").hidden = !hasChoices || answered;
    number.closest(".field").hidden = hasChoices || answered || !(kind === "number" || kind === "rating");
  }

  box.querySelectorAll(".condition-row").forEach(sync);
  box.addEventListener("change", function (event) {
    var row = event.target.closest(".condition-row");
    if (row) sync(row);
  });
})();
