/* The one map point picker for a latitude/longitude pair: the site and area forms (sites/widgets.py
 * PointPickerWidget, also in the Django admin, including inline rows added later) and the
 * survey's map question (window.fenglinPointPicker, a django-leaflet callback).
 * A click on the map (or dragging the marker) fills both inputs with six decimals; typing
 * coordinates moves the marker. Without this script the inputs work as plain number inputs,
 * and they stay the text alternative to the map. */
(function () {
  "use strict";

  function parse(input) {
    if (!input) return NaN;
    return parseFloat(String(input.value).replace(",", "."));
  }

  function setValue(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /** In an admin inline row added from the empty form, Django renumbers the ids and names
   * but not our data attributes: read the row's number from the map's renumbered id. */
  function resolvePrefix(el, value) {
    var template = el.getAttribute("data-map-id");
    if (value.indexOf("__prefix__") === -1 || !template) return value;
    var pattern = template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("__prefix__", "(.+)");
    var match = new RegExp("^" + pattern + "$").exec(el.id);
    return match ? value.replace("__prefix__", match[1]) : value;
  }

  /** Make `map` a picker for the two inputs: a click (or dragging the marker, also from the
   * keyboard) fills both with six decimals; typed coordinates move the marker. The inputs stay
   * the text alternative. `label` names the marker for screen readers; `after` is told each
   * point filled in. Returns the map. */
  function attach(map, latInput, lngInput, label, after) {
    var marker = null;
    var filling = false;

    function current() {
      var lat = parse(latInput), lng = parse(lngInput);
      if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
      return L.latLng(lat, lng);
    }

    function place(latlng, pan) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: label || "" }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      if (pan) map.panTo(latlng);
    }

    function fill(latlng) {
      filling = true;
      setValue(latInput, latlng.lat.toFixed(6));
      setValue(lngInput, latlng.lng.toFixed(6));
      filling = false;
      if (after) after(latlng);
    }

    map.on("click", function (event) {
      place(event.latlng, false);
      fill(event.latlng);
    });

    function typed() {
      if (filling) return;
      var latlng = current();
      if (latlng) place(latlng, true);
    }
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener("input", typed);
      input.addEventListener("change", typed);
    });

    var start = current();
    if (start) {
      place(start, false);
      map.setView(start, Math.max(map.getZoom(), 16));
    }
    return map;
  }

  /** The widget's map (sites/widgets.py): built here from the element's data attributes. */
  function init(el) {
    if (el.getAttribute("data-ready") || typeof L === "undefined") return;
    if (el.id.indexOf("__prefix__") !== -1) return; // the admin's template row
    var lngInput = document.getElementById(resolvePrefix(el, el.getAttribute("data-lng-input")));
    if (!lngInput) return;
    var scope = lngInput.form || document;
    var latName = resolvePrefix(el, el.getAttribute("data-lat-name"));
    var latInput = scope.querySelector('[name="' + latName + '"]');
    if (!latInput) return;
    el.setAttribute("data-ready", "1");
    // The admin has no stylesheet for .map: give the container a height from script (the
    // Content-Security-Policy allows styles set through the DOM, not style attributes).
    if (!el.offsetHeight) el.style.height = "18rem";
    if (!el.offsetWidth) el.style.width = "100%";

    var center = JSON.parse(el.getAttribute("data-center"));
    var map = L.map(el, { scrollWheelZoom: false }).setView(center, +el.getAttribute("data-zoom"));
    L.tileLayer(el.getAttribute("data-tiles"), JSON.parse(el.getAttribute("data-tile-options")))
      .addTo(map);
    var region = JSON.parse(el.getAttribute("data-region"));
    if (region) {
      L.rectangle(
        [[region.min_lat, region.min_lng], [region.max_lat, region.max_lng]],
        { color: "#0b5cad", weight: 1, fill: false, dashArray: "4 4", interactive: false }
      ).addTo(map);
    }
    attach(map, latInput, lngInput, el.getAttribute("aria-label"), function (latlng) {
      el.setAttribute("data-lat", latlng.lat.toFixed(6));
      el.setAttribute("data-lng", latlng.lng.toFixed(6));
    });
    // A map created inside a hidden or resized container needs to measure itself again.
    window.setTimeout(function () { map.invalidateSize(); }, 200);
    el.pointPickerMap = map;
  }

  /** A map drawn by django-leaflet's {% leaflet_map ... callback="window.fenglinPointPicker" %}
   * inside an element with data-lat-input and data-lng-input (the two inputs' ids): the survey's
   * map question. */
  window.fenglinPointPicker = function (map) {
    var box = map.getContainer().closest("[data-lat-input][data-lng-input]");
    if (!box) return;
    var latInput = document.getElementById(box.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(box.getAttribute("data-lng-input"));
    if (!latInput || !lngInput) return;
    attach(map, latInput, lngInput, box.getAttribute("data-label"));
  };

  function initAll(root) {
    var nodes = (root || document).querySelectorAll("[data-point-picker]");
    Array.prototype.forEach.call(nodes, init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
  // Django admin: inline rows added with "Add another".
  document.addEventListener("formset:added", function (event) {
    initAll(event.target && event.target.querySelectorAll ? event.target : document);
  });
})();
