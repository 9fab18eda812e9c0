/* The street map on the home page: operating sites, coloured by status. */
window.fenglinStreetMap = function (map) {
  "use strict";
  var sites = window.Fenglin.readJSON("street-sites", []);
  window.Fenglin.addSites(map, sites);
};
