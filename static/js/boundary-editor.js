/* The boundary editor (sites/boundary_editor.py BoundaryEditorWidget): Leaflet.draw on a map
 * bound to the GeoJSON textarea before it. Draw one polygon, move its corners or delete it; the
 * textarea follows (GeoJSON, six decimals) and is what the form posts. Typing or pasting into
 * the textarea redraws the map. Without this script the textarea works on its own.
 * Leaflet.draw's texts come translated in a JSON script element (data-strings). */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /** Copy the translated strings over L.drawLocal, key by key, so a missing key keeps
   * Leaflet.draw's own text rather than showing nothing. */
  function merge(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      if (source[key] && typeof source[key] === "object") {
        if (!target[key] || typeof target[key] !== "object") target[key] = {};
        merge(target[key], source[key]);
      } else {
        target[key] = source[key];
      }
    });
  }

  function parseBoundary(text) {
    if (!text || !text.trim()) return null;
    try {
      var value = JSON.parse(text);
      if (value && (value.type === "Polygon" || value.type === "MultiPolygon")) return value;
    } catch (e) { /* the form reports malformed text next to the field */ }
    return null;
  }

  function init(el) {
    if (el.getAttribute("data-ready") || typeof L === "undefined" || !L.Control.Draw) return;
    var input = document.getElementById(el.getAttribute("data-input"));
    if (!input) return;
    el.setAttribute("data-ready", "1");
    merge(L.drawLocal, readJSON(el.getAttribute("data-strings")));
    // The admin has no stylesheet for .map: a height set through the DOM passes the CSP.
    if (!el.offsetHeight) el.style.height = "22rem";

    var map = L.map(el, { scrollWheelZoom: false }).setView(
      JSON.parse(el.getAttribute("data-center")), +el.getAttribute("data-zoom"));
    L.tileLayer(el.getAttribute("data-tiles"), JSON.parse(el.getAttribute("data-tile-options")))
      .addTo(map);

    var backdrop = readJSON(el.getAttribute("data-backdrop")) || {};
    var context = L.featureGroup().addTo(map);
    if (backdrop.outline) {
      L.geoJSON(backdrop.outline, { interactive: false,
        style: { color: "#0b5cad", weight: 2, dashArray: "6 4", fill: false } }).addTo(context);
    }
    (backdrop.areas || []).forEach(function (area) {
      L.geoJSON(area.boundary, { style: { color: "#8a96a3", weight: 1, fillOpacity: 0.08 } })
        .bindTooltip(area.name, { sticky: true }).addTo(context);
    });

    var drawn = L.featureGroup().addTo(map);
    var style = { color: "#d1495b", weight: 3, fillOpacity: 0.15 };

    function show(fit) {
      drawn.clearLayers();
      var boundary = parseBoundary(input.value);
      if (boundary) {
        L.geoJSON(boundary, { style: style }).eachLayer(function (layer) { drawn.addLayer(layer); });
      }
      var target = drawn.getLayers().length ? drawn : context;
      if (fit && target.getLayers().length) map.fitBounds(target.getBounds(), { padding: [16, 16] });
    }

    function write() {
      var layers = drawn.getLayers();
      input.value = layers.length ? JSON.stringify(layers[0].toGeoJSON(6).geometry) : "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    map.addControl(new L.Control.Draw({
      position: "topright",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
        polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false
      },
      edit: { featureGroup: drawn, remove: true }
    }));

    // One boundary per area: a new polygon replaces the one there was.
    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.clearLayers();
      drawn.addLayer(event.layer);
      write();
    });
    map.on(L.Draw.Event.EDITED, write);
    map.on(L.Draw.Event.DELETED, write);
    input.addEventListener("input", function () { show(false); });

    show(true);
    window.setTimeout(function () { map.invalidateSize(); }, 200);
    el.boundaryEditorMap = map;
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-boundary-editor]"), init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
