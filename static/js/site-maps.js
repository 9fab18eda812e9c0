/* Maps of the sites register. Each page renders {% leaflet_map ... callback="window.FenglinSites.X" %}
 * and passes its data with json_script; the table on the page is the text alternative. */
(function () {
  "use strict";
  var F = window.Fenglin;
  var S = (window.FenglinSites = window.FenglinSites || {});

  /** Site list: exactly the filtered sites, coloured by status. */
  S.listMap = function (map) {
    F.addSites(map, F.readJSON("site-map-data", []));
  };

  /** Site page: the site, walking rings of 300 / 500 / 1,000 m and the nearby area centres. */
  S.detailMap = function (map) {
    var data = F.readJSON("site-map-data", null);
    if (!data) return;
    var radii = data.rings.slice().sort(function (a, b) { return b - a; });
    radii.forEach(function (radius, i) {
      F.addRings(map, [data.site], radius, { fillOpacity: 0.04 + 0.03 * i, dashArray: "4 4" });
    });
    data.areas.forEach(function (area) {
      L.circleMarker([area.lat, area.lng], { radius: 5, color: "#0d3b66", weight: 1,
        fillColor: "#f08a24", fillOpacity: 0.9 })
        .bindPopup('<a href="' + encodeURI(area.url) + '">' + F.escapeHtml(area.name) + "</a><br>" +
          F.escapeHtml(area.label))
        .addTo(map);
    });
    F.addSites(map, [data.site], { fit: false, radius: 10 });
    if (radii.length) {
      // Quarter zoom steps let the widest ring fill a small map instead of a quarter of it.
      map.options.zoomSnap = 0.25;
      map.fitBounds(L.latLng(data.site.lat, data.site.lng).toBounds(radii[0] * 2), { padding: [8, 8] });
    } else {
      map.setView([data.site.lat, data.site.lng], 16);
    }
  };

  /** Area list: area centres, circle size by population. */
  S.areaListMap = function (map) {
    var areas = F.readJSON("area-map-data", []);
    var layer = F.addGraduated(map, areas);
    F.fit(map, areas.map(function (a) { return [a.lat, a.lng]; }));
    return layer;
  };

  /** Area page: its boundary (where known), its centre and its sites. */
  S.areaDetailMap = function (map) {
    var data = F.readJSON("area-map-data", null);
    if (!data) return;
    var points = [[data.area.lat, data.area.lng]];
    if (data.boundary) {
      var outline = L.geoJSON(data.boundary, { style: { color: "#0d3b66", weight: 2, fillOpacity: 0.05 } })
        .addTo(map);
      map.fitBounds(outline.getBounds(), { padding: [12, 12] });
    }
    L.circleMarker(points[0], { radius: 6, color: "#0d3b66", weight: 2, fillColor: "#fff", fillOpacity: 1 })
      .bindPopup(F.escapeHtml(data.area.name)).addTo(map);
    F.addSites(map, data.sites, { fit: false });
    if (!data.boundary) {
      F.fit(map, points.concat(data.sites.map(function (s) { return [s.lat, s.lng]; })), 16);
    }
  };

  /** Catalogue page: the sites offering (or planning) a service. */
  S.serviceTypeMap = function (map) {
    F.addSites(map, F.readJSON("servicetype-map-data", []));
  };
})();
