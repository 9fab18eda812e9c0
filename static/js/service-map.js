/* The residents' service map: operating service sites, the chosen point with the areas a 5, 10
 * and 15-minute walk reaches (along the streets where a walking network is loaded, else circles;
 * the legend under the map says which), and a tap on the map that drops a pin and asks the
 * server for the nearest services (the place search and the neighbourhood select above the
 * map do the same without JavaScript). */
window.fenglinServiceMap = function (map) {
  "use strict";
  var F = window.Fenglin;
  var data = F.readJSON("service-map-data", { sites: [], origin: null, reach: null });
  var bandColours = { 5: "#1d6b35", 10: "#0b5cad", 15: "#8a5300" };
  // The map takes keyboard focus (arrows pan it): name it by its heading, describe its use.
  map.getContainer().setAttribute("role", "region");
  map.getContainer().setAttribute("aria-labelledby", "map-heading");
  map.getContainer().setAttribute("aria-describedby", "service-map-help");

  var reach = null;
  if (data.reach) {
    // Longest walk first: the areas stack, so the 5-minute one comes out darkest.
    reach = L.geoJSON(data.reach, {
      interactive: false,
      style: function (feature) {
        var colour = bandColours[feature.properties.minutes] || "#0b5cad";
        return { color: colour, weight: 1.5, fillColor: "#0b5cad", fillOpacity: 0.14,
          className: "reach-area reach-" + feature.properties.minutes };
      }
    }).addTo(map);
  }

  F.addSites(map, data.sites, { radius: 7, fit: !data.origin });

  if (data.origin) {
    var here = [data.origin.lat, data.origin.lng];
    L.circleMarker(here, {
      radius: 9, color: "#fff", weight: 3, fillColor: "#a4161a", fillOpacity: 1
    }).addTo(map);
    if (reach && reach.getBounds().isValid()) map.fitBounds(reach.getBounds(), { padding: [12, 12] });
    else map.setView(here, 16);
  }

  var form = document.getElementById("location-form");
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  var area = document.getElementById("id_area");
  var place = document.getElementById("id_place");

  function submitPoint(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    if (area) area.value = ""; // the new pin replaces the neighbourhood or the place found
    if (place) place.value = "";
    form.submit();
  }

  map.on("click", function (event) {
    L.circleMarker(event.latlng, { radius: 9, color: "#a4161a", weight: 3 }).addTo(map);
    submitPoint(event.latlng.lat, event.latlng.lng);
  });

  // "Use my location" only where the browser can tell (it needs HTTPS); the select stays.
  if (navigator.geolocation && window.isSecureContext && form) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = form.getAttribute("data-locate-label") || "Use my location";
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "help";
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          submitPoint(position.coords.latitude, position.coords.longitude);
        },
        function () {
          status.textContent = form.getAttribute("data-locate-error") || "";
        },
        { timeout: 15000 }
      );
    });
    form.appendChild(button);
    form.appendChild(status);
  }
};
