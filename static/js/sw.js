/* Stockroom's service worker (served at /sw.js so it controls the whole company site).

   - Static assets (/static/...): cache first, so the app shell loads on a flaky connection.
   - Pages (GET navigations): network first; the last good copy is kept and shown when the
     network is down, with the offline notice from offline.js on top.
   - Anything that changes data (POST, PUT, PATCH, DELETE) is never queued: when the network
     is down it is refused with a clear message, so nothing is silently lost.
   Caches are cleared on sign-out (offline.js posts "clear"). */
"use strict";

var VERSION = "stockroom-v1";
var STATIC_CACHE = VERSION + "-static";
var PAGE_CACHE = VERSION + "-pages";
var OFFLINE_MESSAGE = "You are offline. Nothing was saved: reconnect and try again.";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(VERSION) !== 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The page tells us its app shell (stylesheets, scripts, icons) so we cache the exact,
// possibly hashed, file names; "clear" on sign-out.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
      return Promise.all(data.urls.map(function (url) {
        return cache.match(url).then(function (hit) { return hit || cache.add(url).catch(function () {}); });
      }));
    }));
  } else if (data.type === "clear") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});

function refused(request) {
  var htmx = request.headers.get("HX-Request");
  if (htmx || request.mode !== "navigate") {
    return new Response(OFFLINE_MESSAGE, {
      status: 503, statusText: "Offline", headers: { "Content-Type": "text/plain; charset=utf-8" }
    });
  }
  var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Offline · Stockroom</title>" +
    "<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}" +
    "a{display:inline-block;min-height:44px;padding:.6rem 0}</style></head><body><main>" +
    "<h1>You are offline</h1><p role=\"alert\">" + OFFLINE_MESSAGE + "</p>" +
    "<p><a href=\"javascript:history.back()\">Go back</a></p></main></body></html>";
  return new Response(html, {
    status: 503, statusText: "Offline", headers: { "Content-Type": "text/html; charset=utf-8" }
  });
}

function fromNetworkKeepingCopy(request) {
  return fetch(request).then(function (response) {
    var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    if (response.ok && html && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { cacheName: PAGE_CACHE }).then(function (hit) {
      return hit || refused(request);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.method !== "GET") {
    event.respondWith(fetch(request).catch(function () { return refused(request); }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC_CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/accounts/") !== 0) {
    event.respondWith(fromNetworkKeepingCopy(request));
  }
});
