/* Skip logic and exclusive options on a survey form, rule for rule as surveys/logic.py: the
   server checks the same rules, so without this script every question is shown and answers to
   questions that do not apply are simply not stored.
   A question carries data-question (its id), data-show-if (JSON: join "all"/"any" and rules of
   source, op, choice, number) and data-exclusive (ids of options that exclude the others). */
(function () {
  "use strict";
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-question]"));
  if (!blocks.length) return;

  function isEmpty(value) {
    if (value === null || value === undefined) return true;
    if (Array.isArray(value)) return value.length === 0;
    return String(value).trim() === "";
  }

  function answerOf(block) {
    var id = block.getAttribute("data-question");
    var scope = block.closest("form") || document;
    var lat = scope.querySelector('[name="q' + id + '_lat"]');
    if (lat) return lat.value;
    var inputs = scope.querySelectorAll('[name="q' + id + '"]');
    var values = [];
    var listed = false;
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        listed = true;
        if (input.checked) values.push(input.value);
      } else if (input.type !== "hidden") {
        values.push(input.value);
      }
    });
    if (listed) return values;
    return values.length ? values[0] : null;
  }

  function number(value) {
    if (isEmpty(value) || Array.isArray(value)) return null;
    var parsed = Number(String(value).trim());
    return isFinite(parsed) ? parsed : null;
  }

  function holds(rule, value) {
    if (rule.op === "answered") return !isEmpty(value);
    if (rule.choice !== null && rule.choice !== undefined) {
      var chosen = isEmpty(value) ? [] : [].concat(value).map(String);
      var target = String(rule.choice);
      var exactly = chosen.length === 1 && chosen[0] === target;
      if (rule.op === "includes") return chosen.indexOf(target) !== -1;
      if (rule.op === "equals") return exactly;
      if (rule.op === "not_equals") return !exactly;
      return false;
    }
    if (rule.number === null || rule.number === undefined) return false;
    var given = number(value);
    var limit = Number(rule.number);
    if (rule.op === "not_equals") return given === null || given !== limit;
    if (given === null) return false;
    if (rule.op === "equals") return given === limit;
    if (rule.op === "greater_than") return given > limit;
    if (rule.op === "less_than") return given < limit;
    return false;
  }

  function setShown(block, shown) {
    if (block.hidden === !shown) return;
    block.hidden = !shown;
    // Hidden answers are not sent; fields the page itself disabled stay disabled.
    block.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!shown && !input.disabled) {
        input.disabled = true;
        input.setAttribute("data-logic-disabled", "");
      } else if (shown && input.hasAttribute("data-logic-disabled")) {
        input.disabled = false;
        input.removeAttribute("data-logic-disabled");
      }
    });
  }

  function update() {
    var shownById = {};
    var answers = {};
    blocks.forEach(function (block) {
      var id = block.getAttribute("data-question");
      var shown = true;
      var spec = block.getAttribute("data-show-if");
      if (spec) {
        var logic = JSON.parse(spec);
        var results = logic.rules.map(function (rule) {
          var source = String(rule.source);
          return holds(rule, shownById[source] ? answers[source] : null);
        });
        shown = logic.join === "any" ? results.some(Boolean) : results.every(Boolean);
      }
      setShown(block, shown);
      shownById[id] = shown;
      answers[id] = shown ? answerOf(block) : null;
    });
  }

  // "None of these": ticking it clears the other options, ticking another clears it.
  function exclusive(event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var block = box.closest("[data-exclusive]");
    if (!block) return;
    var only = block.getAttribute("data-exclusive").split(" ");
    var isOnly = only.indexOf(box.value) !== -1;
    block.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
      if (other === box || !other.checked) return;
      if (isOnly || only.indexOf(other.value) !== -1) other.checked = false;
    });
  }

  document.addEventListener("change", function (event) {
    if (!event.target.closest || !event.target.closest("[data-question]")) return;
    exclusive(event);
    update();
  });
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("[data-question]")) update();
  });
  update();
})();
