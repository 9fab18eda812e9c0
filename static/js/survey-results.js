/* The results map: responses per 1,000 residents by area — an area with a boundary is shaded by
 * that rate, one without is a circle sized by its count — and the newest pins, drawn above so the
 * shading never hides them. The per-area table on the page is the text alternative. */
(function () {
  "use strict";
  var SHADES = ["#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c"];

  function shade(rate, max) {
    if (rate === null || rate === undefined || !max) return "#d9dee4";
    return SHADES[Math.min(SHADES.length - 1, Math.floor((rate / max) * SHADES.length))];
  }

  window.fenglinSurveyResultsMap = function (map) {
    var data = Fenglin.readJSON("survey-map-data", { areas: [], pins: [] });
    var shaded = data.areas.filter(function (a) { return a.boundary; });
    var circled = data.areas.filter(function (a) { return !a.boundary && a.lat !== undefined; });
    var maxRate = shaded.reduce(function (m, a) { return Math.max(m, a.rate || 0); }, 0);
    var bounds = [];
    shaded.forEach(function (a) {
      var layer = L.geoJSON(a.boundary, {
        style: { color: "#0d3b66", weight: 1, fillColor: shade(a.rate, maxRate), fillOpacity: 0.7 }
      }).bindPopup(Fenglin.escapeHtml(a.name) + "<br>" + Fenglin.escapeHtml(a.label)).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) bounds.push(b.getNorthWest(), b.getSouthEast());
    });
    Fenglin.addGraduated(map, circled, { fillOpacity: 0.35 });
    var pins = L.layerGroup().addTo(map);
    data.pins.forEach(function (p) {
      L.circleMarker(p, { radius: 3, weight: 1, color: "#fff", fillColor: "#0b5cad", fillOpacity: 0.9 }).addTo(pins);
    });
    var points = circled.map(function (a) { return [a.lat, a.lng]; })
      .concat(data.pins)
      .concat(bounds.map(function (b) { return [b.lat, b.lng]; }));
    Fenglin.fit(map, points);
  };
})();
