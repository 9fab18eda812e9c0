/* Coverage page: sites with their walking catchments, and the areas with unmet demand.
 * The tables on the page give the same facts. */
(function () {
  "use strict";
  var F = window.Fenglin;
  window.FenglinCoverage = {
    map: function (map) {
      var data = F.readJSON("coverage-map-data", null);
      if (!data) return;
      var open = data.sites.filter(function (s) { return s.status !== "closed"; });
      if (data.radius) F.addRings(map, open, data.radius);
      F.addGraduated(map, data.uncovered, { fillColor: "#a4161a", color: "#5c0b0e" });
      F.addSites(map, data.sites, { fit: false });
      var points = data.sites.concat(data.uncovered).map(function (p) { return [p.lat, p.lng]; });
      F.fit(map, points);
    }
  };
})();
