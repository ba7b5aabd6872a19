/* Cabin service worker (scope /cabin): keeps the page shell and its assets so the
   tablet works in flight. The flight's pack itself lives in localStorage. */
"use strict";
var CACHE = "tact-cabin-v3";
var SHELL = ["/cabin", "/static/tact.css", "/static/feedback.js", "/static/cabin.js", "/static/demo-flight.json",
             "/cabin/manifest.webmanifest"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("tact-cabin-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCache(request) {
  return caches.open(CACHE).then(function (cache) { return cache.match(request, { ignoreSearch: true }); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (request.mode === "navigate" || path === "/cabin") {
    // Network first for the page (fresh after deploys), the cached shell when there is no network.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/cabin", copy); });
      }
      return response;
    }).catch(function () {
      return fromCache("/cabin").then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (SHELL.indexOf(path) >= 0) {
    // Cache first, refreshed in the background.
    event.respondWith(fromCache(path).then(function (hit) {
      var refresh = fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(path, copy); });
        }
        return response;
      });
      if (hit) { refresh.catch(function () {}); return hit; }
      return refresh;
    }));
  }
});
