/* Paper entry from the keyboard: each questionnaire starts with the cursor in its first field,
 * Enter moves to the next field (a group of options counts as one field), and Ctrl+Enter — or
 * Enter on the Save button — saves and opens an empty form for the next questionnaire. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button[type=submit]";

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && !el.closest("[hidden], .visually-hidden");
  }
  /** The fields in order, a group of radios or checkboxes represented by its first box. */
  function stops() {
    var seen = {};
    return Array.prototype.filter.call(form.querySelectorAll(FIELDS), function (el) {
      if (!visible(el)) return false;
      if (el.type === "radio" || el.type === "checkbox") {
        if (seen[el.name]) return false;
        seen[el.name] = true;
      }
      return true;
    });
  }

  if (!form.querySelector(".has-error")) {
    var first = stops()[0];
    if (first) first.focus();
  }

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var target = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (target.tagName === "TEXTAREA" && event.shiftKey) return; // a new line in the answer
    if (target.tagName === "BUTTON" || target.tagName === "A" || target.tagName === "SUMMARY") return;
    event.preventDefault();
    var list = stops();
    var here = list.indexOf(target);
    if (here === -1 && target.name) {
      here = list.findIndex(function (el) { return el.name === target.name; });
    }
    var next = list[here + 1];
    if (next) next.focus();
  });
})();
