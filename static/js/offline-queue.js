/* Fieldwork without a connection (as ODK/Kobo collectors expect). The form element carries
 * data-sw (the service worker's address, which keeps the page itself) and #offline-status the
 * messages. Sent while offline, a questionnaire is kept in this browser (localStorage) with its
 * CSRF token and idempotency key, the form is emptied for the next one, and the page says how many
 * are waiting; when the connection returns each is POSTed and removed once the server has stored
 * it. The idempotency key makes every resend safe: a questionnaire is stored once, however often
 * it is sent. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  var status = document.getElementById("offline-status");
  if (!form || !status || !window.localStorage || !window.fetch) return;
  var action = form.getAttribute("action") || window.location.pathname;
  var storeName = "fenglin:queue:" + action;
  var flushing = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeName) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    if (items.length) localStorage.setItem(storeName, JSON.stringify(items));
    else localStorage.removeItem(storeName);
  }
  function say(extra) {
    var n = load().length;
    var text = n === 1 ? status.getAttribute("data-one")
      : n > 1 ? status.getAttribute("data-many").replace("%s", n) : "";
    if (extra) text = text ? extra + " " + text : extra;
    status.querySelector("span").textContent = text;
    status.hidden = !text;
  }

  // The service worker keeps this page and its files for use without a connection.
  var sw = form.getAttribute("data-sw");
  if (sw && navigator.serviceWorker) {
    navigator.serviceWorker.register(sw, { scope: form.getAttribute("data-sw-scope") }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = performance.getEntriesByType("resource").map(function (e) { return e.name; });
      if (registration.active) registration.active.postMessage({ cache: urls });
    }).catch(function () { /* no worker (private mode, http): the queue still works while open */ });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) return; // sent the ordinary way
    event.preventDefault();
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") entries.push([name, value]);
    });
    var items = load();
    items.push({ body: entries, queuedAt: new Date().toISOString() });
    save(items);
    form.reset();
    if (window.fenglinNextQuestionnaire) window.fenglinNextQuestionnaire();
    window.scrollTo(0, 0);
    say(status.getAttribute("data-saved"));
    status.focus();
  });

  function refreshedToken() {
    return fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        return match ? match[1] : null;
      });
  }

  function send(item, retried) {
    var body = new URLSearchParams();
    item.body.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (response) {
        // Stored (or stored before): the server answers a valid questionnaire with a redirect.
        if (response.redirected) return "sent";
        if (response.status === 403 && !retried) {
          // The CSRF cookie changed since the page was kept: take a fresh token, once.
          return refreshedToken().then(function (token) {
            if (!token) return "later";
            item.body = item.body.map(function (pair) {
              return pair[0] === "csrfmiddlewaretoken" ? [pair[0], token] : pair;
            });
            return send(item, true);
          });
        }
        if (response.status === 429 || response.status >= 500 || response.status === 403) return "later";
        return "refused"; // the form came back with messages, or the survey has closed
      });
  }

  function flush() {
    if (flushing || navigator.onLine === false) return;
    var items = load();
    if (!items.length) return;
    flushing = true;
    var sent = 0, refused = 0;
    var next = function () {
      var queue = load();
      if (!queue.length) return null;
      return send(queue[0], false).then(function (outcome) {
        if (outcome === "later") return null;
        if (outcome === "refused") refused += 1; else sent += 1;
        save(load().slice(1));
        return next();
      });
    };
    Promise.resolve(next()).catch(function () { /* connection lost again: keep the rest */ })
      .then(function () {
        flushing = false;
        var message = "";
        if (refused) message = status.getAttribute("data-refused").replace("%s", refused);
        else if (sent && !load().length) message = status.getAttribute("data-sent");
        say(message);
      });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say(status.getAttribute("data-offline")); });
  say(navigator.onLine === false ? status.getAttribute("data-offline") : "");
  flush();
})();
