/* Scenario maps: the sites of a plan (operating, added, closed). One data element per map,
 * named "<map id>-data", so the comparison page can hold several. The lists on the page are the
 * text alternative. */
(function () {
  "use strict";
  var F = window.Fenglin;
  window.FenglinScenario = {
    map: function (map) {
      var sites = F.readJSON(map.getContainer().id + "-data", []);
      F.addSites(map, sites);
    }
  };
})();
