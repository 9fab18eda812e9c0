/* Shared map helpers. Pages render a map with django-leaflet's {% leaflet_map "id" callback="window.X" %}
 * (tiles, attribution and referrer policy come from LEAFLET_CONFIG), load this file and a small
 * page script defining window.X(map), and pass their data with {{ data|json_script:"some-id" }}.
 * No inline scripts or styles: the Content-Security-Policy forbids them. */
(function () {
  "use strict";
  var Fenglin = (window.Fenglin = window.Fenglin || {});

  Fenglin.statusColors = {
    candidate: "#7b5fc0",
    selected: "#2b7bd0",
    building: "#e09b1a",
    operating: "#2e9a4f",
    closed: "#8a96a3"
  };

  /** The parsed content of a json_script element, or the fallback when it is missing. */
  Fenglin.readJSON = function (id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback === undefined ? null : fallback;
    return JSON.parse(el.textContent);
  };

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }
  Fenglin.escapeHtml = escapeHtml;

  /** Fit the map to points ([lat, lng] pairs); keep the default view when there are none. */
  Fenglin.fit = function (map, latlngs, maxZoom) {
    if (!latlngs.length) return;
    if (latlngs.length === 1) map.setView(latlngs[0], maxZoom || 16);
    else map.fitBounds(L.latLngBounds(latlngs), { padding: [24, 24], maxZoom: maxZoom || 17 });
  };

  /** Sites as circle markers coloured by status: [{name, lat, lng, status, url, label}]. */
  Fenglin.addSites = function (map, sites, options) {
    options = options || {};
    var layer = L.featureGroup().addTo(map);
    sites.forEach(function (site) {
      var marker = L.circleMarker([site.lat, site.lng], {
        radius: options.radius || 8,
        color: "#222",
        weight: 1,
        fillColor: Fenglin.statusColors[site.status] || "#0b5cad",
        fillOpacity: 0.9
      });
      var html = site.url
        ? '<a href="' + encodeURI(site.url) + '">' + escapeHtml(site.name) + "</a>"
        : escapeHtml(site.name);
      if (site.label) html += "<br>" + escapeHtml(site.label);
      marker.bindPopup(html);
      marker.addTo(layer);
    });
    if (options.fit !== false) Fenglin.fit(map, sites.map(function (s) { return [s.lat, s.lng]; }));
    return layer;
  };

  /** Circles of a radius in metres around points: catchments, walking rings. */
  Fenglin.addRings = function (map, points, radiusMetres, style) {
    var layer = L.layerGroup().addTo(map);
    points.forEach(function (p) {
      L.circle([p.lat, p.lng], Object.assign({ radius: p.radius || radiusMetres, weight: 1,
        color: "#0b5cad", fillOpacity: 0.08 }, style || {})).addTo(layer);
    });
    return layer;
  };

  /** Graduated circles (area scaled to value) at points: [{name, lat, lng, value, label}]. */
  Fenglin.addGraduated = function (map, items, style) {
    var max = items.reduce(function (m, i) { return Math.max(m, i.value || 0); }, 0) || 1;
    var layer = L.featureGroup().addTo(map);
    items.forEach(function (item) {
      var radius = 4 + 26 * Math.sqrt((item.value || 0) / max);
      L.circleMarker([item.lat, item.lng], Object.assign({ radius: radius, color: "#0d3b66",
        weight: 1, fillColor: "#f08a24", fillOpacity: 0.6 }, style || {}))
        .bindPopup(escapeHtml(item.name) + (item.label ? "<br>" + escapeHtml(item.label) : ""))
        .addTo(layer);
    });
    return layer;
  };

  /* The app's own base layer: the loaded walking network's streets and the neighbourhood
   * boundaries with their names (/map/base.json, fetched once per page), on every map. Tile
   * servers are often out of reach in mainland China; this layer is what a map then shows, on a
   * light background (.has-base-layer in app.css). It sits in its own pane just above the tiles
   * and below everything a page draws, in light grey, so that it does not fight the tiles when
   * they do load; a layer control turns it off. The attribution line names the walking model. */
  Fenglin.baseLayerUrl = "/map/base.json";
  var LABEL_MIN_ZOOM = 15;
  var baseDocument = null;

  function loadBaseDocument() {
    if (!baseDocument) {
      baseDocument = fetch(Fenglin.baseLayerUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    }
    return baseDocument;
  }

  function areaLabel(feature) {
    var centre = feature.properties.centre;
    return L.marker(centre, {
      pane: "fenglinBaseLabels",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "base-area-label",
        html: "<span>" + escapeHtml(feature.properties.name) + "</span>",
        iconSize: null
      })
    });
  }

  Fenglin.addBaseLayer = function (map) {
    var container = map.getContainer();
    container.classList.add("has-base-layer");
    map.createPane("fenglinBase").style.zIndex = 250;
    map.createPane("fenglinBaseLabels").style.zIndex = 260;
    var renderer = L.canvas({ pane: "fenglinBase", padding: 0.3 });
    var streets = null;
    var streetStyle = { color: "#9c978c", weight: 1.5, opacity: 0.9 };
    var noTileStyle = { color: "#6f6a60", weight: 2 };
    // With no tile to show, the streets are the map: draw them darker.
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      layer.once("tileerror", function () {
        container.classList.add("tiles-failed");
        streetStyle = Object.assign({}, streetStyle, noTileStyle);
        if (streets) streets.setStyle(streetStyle);
      });
    });

    function showLabels() {
      container.classList.toggle("base-labels-hidden", map.getZoom() < LABEL_MIN_ZOOM);
    }
    map.on("zoomend", showLabels);
    showLabels();

    loadBaseDocument().then(function (doc) {
      if (!doc) return;
      var group = L.layerGroup();
      streets = L.geoJSON(doc, {
        filter: function (f) { return f.properties.kind === "streets"; },
        style: function () { return streetStyle; },
        renderer: renderer,
        interactive: false
      }).addTo(group);
      L.geoJSON(doc, {
        filter: function (f) { return f.properties.kind === "area"; },
        style: function () {
          return { color: "#7a6a9a", weight: 1.5, opacity: 0.8, dashArray: "6 4", fill: false };
        },
        renderer: renderer,
        interactive: false
      }).addTo(group);
      doc.features.forEach(function (feature) {
        var kind = feature.properties.kind;
        if ((kind === "area" || kind === "centre") && feature.properties.centre) {
          areaLabel(feature).addTo(group);
        }
      });
      group.addTo(map);
      var overlays = {};
      overlays[escapeHtml(doc.labels.layer)] = group;
      L.control.layers(null, overlays, { collapsed: true }).addTo(map);
      if (map.attributionControl) map.attributionControl.addAttribution(escapeHtml(doc.labels.legend));
    });
  };

  // Every django-leaflet map ({% leaflet_map %}) gets the base layer, before the page's own
  // callback draws on it.
  window.addEventListener("map:init", function (event) {
    Fenglin.translateControls(event.detail.map);
    Fenglin.addBaseLayer(event.detail.map);
  });

  /** Leaflet's own controls in the page's language (base.html carries the words). */
  Fenglin.translateControls = function (map) {
    var words = Fenglin.readJSON("fenglin-map-words");
    if (!words) return;
    var container = map.getContainer();
    if (!container.hasAttribute("aria-label")) container.setAttribute("aria-label", words.map);
    if (map.zoomControl) {
      var position = map.zoomControl.getPosition();
      map.removeControl(map.zoomControl);
      map.zoomControl = L.control
        .zoom({ position: position, zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut })
        .addTo(map);
    }
  };
})();
