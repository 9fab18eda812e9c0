/* Optimisation progress: poll the run's JSON status and update the page; reload when it ends
 * so the server renders the result. Without JavaScript the page shows the state at load time. */
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") return;
  var url = box.dataset.statusUrl;
  var reloadHint = document.getElementById("run-reload");
  if (reloadHint) reloadHint.hidden = true;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 5000);
        document.getElementById("run-status").textContent = data.status_label;
        document.getElementById("run-stage").textContent = data.stage;
        var bar = document.getElementById("run-bar");
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        if (data.finished) window.location.reload();
        else setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
