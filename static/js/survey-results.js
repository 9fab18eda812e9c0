/* The results map: responses per area as graduated circles, and the newest pins. The per-area
 * table on the page is the text alternative. */
(function () {
  "use strict";
  window.fenglinSurveyResultsMap = function (map) {
    var data = Fenglin.readJSON("survey-map-data", { areas: [], pins: [] });
    var pins = L.layerGroup().addTo(map);
    data.pins.forEach(function (p) {
      L.circleMarker(p, { radius: 3, weight: 0, fillColor: "#0b5cad", fillOpacity: 0.45 }).addTo(pins);
    });
    Fenglin.addGraduated(map, data.areas);
    var points = data.areas.map(function (a) { return [a.lat, a.lng]; }).concat(data.pins);
    Fenglin.fit(map, points);
  };
})();
