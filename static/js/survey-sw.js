/* The survey's service worker, served by surveys.public_views.survey_service_worker at the form's
 * own address (its scope), after a line that sets CONFIG = {page, static, assets, version}.
 *
 * Once the form has been opened it keeps working without a connection, as field collectors
 * expect: the form page is answered from the network when there is one (and kept), from the
 * cache when there is none; static files from the cache first. Answers themselves are queued by
 * the page (offline-queue.js), not here. Cross-origin requests (map tiles) are left alone. */
/* global CONFIG */
"use strict";
var CACHE = "fenglin-survey:" + CONFIG.page + ":" + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll([CONFIG.page]).then(function () {
        // One missing asset must not stop the form from being kept.
        return Promise.all(CONFIG.assets.map(function (url) {
          return cache.add(url).catch(function () { return null; });
        }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("fenglin-survey:" + CONFIG.page + ":") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* The page tells us what else it loaded (Leaflet's images, scripts added by templates). */
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.filter(sameOrigin).map(function (url) {
      return cache.match(url).then(function (hit) {
        return hit || cache.add(url).catch(function () { return null; });
      });
    }));
  }));
});

function sameOrigin(url) {
  try { return new URL(url, self.location.href).origin === self.location.origin; } catch (e) { return false; }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) return;
  var url = new URL(request.url);
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(CONFIG.page, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(CACHE).then(function (cache) {
          return cache.match(CONFIG.page, { ignoreSearch: true });
        }).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (url.pathname.indexOf(CONFIG.static) !== 0) return;
  // Static files carry their content's hash in production: the cached copy is the right one.
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    })
  );
});
