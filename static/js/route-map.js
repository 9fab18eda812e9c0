/* A walking route's map: the stops in order, numbered as in the list beside the map, joined by
 * the route line. */
window.fenglinRouteMap = function (map) {
  "use strict";
  var F = window.Fenglin;
  var stops = F.readJSON("route-stops", []);
  map.getContainer().setAttribute("role", "region");
  map.getContainer().setAttribute("aria-labelledby", "route-map-heading");
  var latlngs = stops.map(function (stop) { return [stop.lat, stop.lng]; });
  if (latlngs.length > 1) {
    L.polyline(latlngs, { color: "#0b5cad", weight: 5, opacity: 0.8 }).addTo(map);
  }
  stops.forEach(function (stop, index) {
    L.circleMarker([stop.lat, stop.lng], {
      radius: 9, color: "#fff", weight: 2, fillColor: "#0d3b66", fillOpacity: 1
    })
      .bindTooltip(String(index + 1), { permanent: true, direction: "top", offset: [0, -8] })
      .bindPopup(F.escapeHtml(index + 1 + ". " + stop.name))
      .addTo(map);
  });
  F.fit(map, latlngs);
};
