/* Small comforts on the survey form; the form works the same without them. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  // After a failed submission, move the focus to the first question that needs attention.
  var firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) firstError.focus();
  // A second tap while the first submission is on its way changes nothing (the server stores one
  // response per key anyway); disabling the button tells the resident it is being sent.
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });
  // Coming back with the Back button shows the page from cache: make the button usable again.
  window.addEventListener("pageshow", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = false;
  });
})();
