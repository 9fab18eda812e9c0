/* The Boundaries page's map: the street's outline (dashed) and every area's boundary labelled
 * with its name, those with a finding in red. The table on the page says the same in text. */
(function () {
  "use strict";
  var F = window.Fenglin;
  var B = (window.FenglinBoundaries = window.FenglinBoundaries || {});

  B.reportMap = function (map) {
    var data = F.readJSON("boundary-map-data", null);
    if (!data) return;
    var all = L.featureGroup().addTo(map);
    if (data.outline) {
      L.geoJSON(data.outline, { interactive: false,
        style: { color: "#0b5cad", weight: 2, dashArray: "6 4", fill: false } }).addTo(all);
    }
    data.areas.forEach(function (area) {
      var colour = area.problem ? "#d1495b" : "#0d3b66";
      L.geoJSON(area.boundary, { style: { color: colour, weight: area.problem ? 3 : 1.5,
        fillOpacity: 0.08 } })
        .bindTooltip(F.escapeHtml(area.name), { permanent: true, direction: "center",
          className: "boundary-label" })
        .bindPopup('<a href="' + encodeURI(area.url) + '">' + F.escapeHtml(area.name) + "</a>")
        .addTo(all);
    });
    if (all.getLayers().length) map.fitBounds(all.getBounds(), { padding: [12, 12] });
  };
})();
