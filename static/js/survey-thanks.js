/* The thank-you page marks this tab's questionnaire as stored: Back and Send again keep its key
 * (and get this page again), a fresh visit to the form starts a new questionnaire. */
(function () {
  "use strict";
  var heading = document.getElementById("thanks-heading");
  var key = heading && heading.getAttribute("data-key");
  if (!key) return;
  try {
    window.sessionStorage.setItem(
      "fenglin:survey-key:" + heading.getAttribute("data-form-path"),
      JSON.stringify({ key: key, used: true })
    );
  } catch (e) { /* private mode: the server still stores one response per key */ }
})();
