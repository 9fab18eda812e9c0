/* Demand page: graduated circles at area centres; the table on the page has the same figures. */
(function () {
  "use strict";
  var F = window.Fenglin;
  window.FenglinDemand = {
    map: function (map) {
      var items = F.readJSON("demand-map-data", []);
      F.addGraduated(map, items);
      F.fit(map, items.map(function (i) { return [i.lat, i.lng]; }));
    }
  };
})();
