/* A service site's page for residents: the site, and where the resident searched from. */
window.fenglinResidentSiteMap = function (map) {
  "use strict";
  var F = window.Fenglin;
  var data = F.readJSON("site-map-data", { sites: [], origin: null });
  map.getContainer().setAttribute("role", "region");
  map.getContainer().setAttribute("aria-labelledby", "map-heading");
  F.addSites(map, data.sites, { radius: 9, fit: false });
  var points = data.sites.map(function (s) { return [s.lat, s.lng]; });
  if (data.origin) {
    var here = [data.origin.lat, data.origin.lng];
    L.circleMarker(here, { radius: 8, color: "#fff", weight: 3, fillColor: "#a4161a", fillOpacity: 1 }).addTo(map);
    points.push(here);
  }
  if (points.length > 1) map.fitBounds(points, { padding: [24, 24] });
  else if (points.length) map.setView(points[0], 17);
};
