/* The residents' place search: suggestions as you type (the ARIA 1.2 combobox pattern: arrow
 * keys move through the list, Enter opens the place, Escape closes the list), and after any
 * search or filter the keyboard focus moves to the results heading. Without JavaScript the
 * form lists the matches as links, and the address's #results scrolls there. */
(function () {
  "use strict";

  var results = document.getElementById("results");
  if (results && window.location.hash === "#results") {
    results.focus({ preventScroll: false });
  }

  var form = document.getElementById("place-search");
  var input = document.getElementById("id_q");
  var box = document.getElementById("place-suggestions-box");
  var list = document.getElementById("place-suggestions");
  var status = document.getElementById("place-search-status");
  if (!form || !input || !list || !window.fetch) return;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", "place-suggestions");
  input.setAttribute("aria-expanded", "false");

  var options = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function close() {
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(option) {
    window.location.href = option.getAttribute("data-url");
  }

  function show(places) {
    list.textContent = "";
    options = places.map(function (place, i) {
      var li = document.createElement("li");
      li.id = "place-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", place.url);
      li.className = "suggestion";
      var name = document.createElement("span");
      name.textContent = place.label;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + place.kind;
      li.appendChild(name);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { go(li); });
      list.appendChild(li);
      return li;
    });
    active = -1;
    if (options.length) {
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = options.length === 1
        ? form.getAttribute("data-one-match")
        : form.getAttribute("data-many-matches").replace("%s", options.length);
    } else {
      close();
      status.textContent = form.getAttribute("data-no-match");
    }
  }

  function suggest() {
    var query = input.value.trim();
    if (!query) { close(); status.textContent = ""; return; }
    var ticket = ++asked;
    var url = form.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(query);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { places: [] }; })
      .then(function (data) { if (ticket === asked) show(data.places || []); })
      .catch(function () { close(); }); // the form still searches without suggestions
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });

  input.addEventListener("keydown", function (event) {
    var open = !box.hidden && options.length;
    if (event.key === "ArrowDown") {
      if (!open) { suggest(); return; }
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      go(options[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
})();
