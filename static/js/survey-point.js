/* The optional map pin of a survey's point question: tapping the map fills the latitude and
 * longitude fields (which stay usable by keyboard, and the area list is the text alternative). */
(function () {
  "use strict";
  window.fenglinSurveyPoint = function (map) {
    var box = document.getElementById("point-picker");
    if (!box) return;
    var latInput = document.getElementById(box.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(box.getAttribute("data-lng-input"));
    if (!latInput || !lngInput) return;
    var marker = null;

    function place(lat, lng, pan) {
      if (isNaN(lat) || isNaN(lng)) return;
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.marker([lat, lng], { keyboard: false }).addTo(map);
      if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 16));
    }

    function fromInputs() {
      place(parseFloat(latInput.value), parseFloat(lngInput.value), true);
    }

    if (latInput.value && lngInput.value) fromInputs();
    latInput.addEventListener("change", fromInputs);
    lngInput.addEventListener("change", fromInputs);
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lngInput.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng, false);
    });
  };
})();
