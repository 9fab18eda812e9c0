/* Paper entry: start each questionnaire with the cursor in its first field. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || form.querySelector(".has-error")) return;
  var first = form.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea");
  if (first) first.focus();
})();
