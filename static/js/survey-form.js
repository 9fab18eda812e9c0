/* Small comforts on the survey form; the form works the same without them (the server checks
 * every answer again and stores one response per idempotency key). */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  var keyInput = form.querySelector("input[name=idempotency_key]");
  var storeName = "fenglin:survey-key:" + window.location.pathname;

  function read() {
    try { return JSON.parse(window.sessionStorage.getItem(storeName) || "null"); } catch (e) { return null; }
  }
  function write(state) {
    try { window.sessionStorage.setItem(storeName, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function navigationType() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "navigate";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* One response per intention: the key given on the first visit stays with this tab's form, so
   * Back and Send again (even when the browser reloads the page and the server hands out a new
   * key) is answered with the stored response's thank-you page. A fresh visit after a response was
   * stored, or the thank-you page's "someone else" link, starts a new questionnaire. */
  function restoreKey(fromCache) {
    if (!keyInput || form.hasAttribute("data-no-key-memory")) return;
    var state = read();
    var fresh = /[?&]new=1/.test(window.location.search);
    var goingBack = fromCache || navigationType() === "back_forward" || navigationType() === "reload";
    if (state && state.key && !fresh && (!state.used || goingBack)) {
      keyInput.value = state.key;
    } else {
      if (state && state.used && state.key === keyInput.value) keyInput.value = newKey();
      write({ key: keyInput.value, used: false });
    }
  }
  restoreKey(false);

  /** The next questionnaire on this device (after one was queued offline): a new key. */
  window.fenglinNextQuestionnaire = function () {
    if (!keyInput) return;
    write({ key: keyInput.value, used: true });
    keyInput.value = newKey();
    write({ key: keyInput.value, used: false });
  };

  // After a failed submission, the error summary takes the focus (it links each question).
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var input = target && (target.matches("input, select, textarea") ? target
        : target.querySelector("input:not([type=hidden]), select, textarea"));
      if (input) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        input.focus();
      }
    });
  }

  // "At most N": once N options are ticked, the others cannot be, and the help says so.
  function limitChoices(list) {
    var boxes = list.querySelectorAll("input[type=checkbox][data-max-choices]");
    if (!boxes.length) return;
    var max = parseInt(boxes[0].getAttribute("data-max-choices"), 10);
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    Array.prototype.forEach.call(boxes, function (b) {
      b.disabled = !b.checked && ticked >= max;
    });
  }
  Array.prototype.forEach.call(form.querySelectorAll(".choice-list"), function (list) {
    limitChoices(list);
    list.addEventListener("change", function () { limitChoices(list); });
  });

  // Numbers: the browser's own check (whole numbers, limits) shown beside the field as typed.
  Array.prototype.forEach.call(form.querySelectorAll("input[type=number]"), function (input) {
    var note = document.createElement("p");
    note.className = "live-error";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    input.addEventListener("input", function () {
      var v = input.validity, text = "";
      if (v.badInput || v.stepMismatch) {
        text = input.step === "1" ? form.getAttribute("data-whole") : form.getAttribute("data-number");
      } else if (v.rangeUnderflow) {
        text = (form.getAttribute("data-min") || "").replace("%s", input.min);
      } else if (v.rangeOverflow) {
        text = (form.getAttribute("data-max") || "").replace("%s", input.max);
      }
      note.textContent = text || "";
      input.setAttribute("aria-invalid", text ? "true" : "false");
    });
  });

  // The map question: find a housing estate or site by name (the pin goes there), and say in
  // words where the pin is. The typed coordinates stay the text alternative.
  var picker = document.getElementById("point-picker");
  if (picker) {
    var latInput = document.getElementById(picker.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(picker.getAttribute("data-lng-input"));
    var status = picker.querySelector(".point-status");
    var search = picker.querySelector("[data-place-search]");
    var placesNode = document.getElementById("map-places");
    var places = placesNode ? JSON.parse(placesNode.textContent) : [];
    var pinned = function (name) {
      if (status) status.textContent = (name ? name + ": " : "") + picker.getAttribute("data-pinned");
    };
    if (latInput) latInput.addEventListener("change", function () { if (latInput.value) pinned(""); });
    if (search && places.length && latInput && lngInput) {
      search.closest(".place-search").hidden = false;
      search.addEventListener("change", function () {
        var wanted = search.value.trim().toLowerCase();
        if (!wanted) return;
        var hit = places.filter(function (p) { return p[0].toLowerCase() === wanted; })[0] ||
          places.filter(function (p) { return p[0].toLowerCase().indexOf(wanted) !== -1; })[0];
        if (!hit) return;
        latInput.value = hit[1].toFixed(6);
        lngInput.value = hit[2].toFixed(6);
        lngInput.dispatchEvent(new Event("change", { bubbles: true }));
        pinned(hit[0]);
      });
    }
  }

  // A second tap while the first submission is on its way changes nothing (the server stores one
  // response per key anyway); disabling the button tells the resident it is being sent.
  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      window.setTimeout(function () { button.disabled = !event.defaultPrevented; }, 0);
    }
  });
  // Coming back with the Back button shows the page from cache: make the button usable again and
  // put back the key of this questionnaire.
  window.addEventListener("pageshow", function (event) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = false;
    if (event.persisted) restoreKey(true);
  });
})();
