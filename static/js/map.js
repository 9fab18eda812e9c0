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
})();
