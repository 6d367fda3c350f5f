/* Registers the service worker (static/js/sw.js, served at /sw.js) and makes offline
   visible: a banner while the connection is down, and forms that would change data are
   refused with a clear message instead of being lost. */
(function () {
  "use strict";

  var MESSAGE = "You are offline. Nothing was saved: reconnect and try again.";
  var script = document.currentScript;
  var swUrl = script && script.getAttribute("data-sw");

  function shellUrls() {
    var urls = [];
    document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon][href]")
      .forEach(function (el) {
        var url = new URL(el.href || el.src, location.href);
        if (url.origin === location.origin) urls.push(url.pathname + url.search);
      });
    return urls;
  }

  if (swUrl && "serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "precache", urls: shellUrls() });
    }).catch(function () { /* no offline support; the site still works online */ });
  }

  function banner() {
    var el = document.getElementById("offline-banner");
    if (navigator.onLine) { if (el) el.remove(); return; }
    if (el) return;
    el = document.createElement("div");
    el.id = "offline-banner";
    el.className = "offline-banner alert alert-warning rounded-0 mb-0 text-center";
    el.setAttribute("role", "status");
    el.innerHTML = '<i class="bi bi-wifi-off me-2" aria-hidden="true"></i>';
    el.appendChild(document.createTextNode("Offline: you can look, but changes cannot be saved until you reconnect."));
    document.body.insertBefore(el, document.body.firstChild);
  }

  function refuse(form) {
    var note = form.querySelector(".offline-refused");
    if (!note) {
      note = document.createElement("div");
      note.className = "offline-refused alert alert-danger mt-2";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = MESSAGE;
    if (window.stockroomToast) window.stockroomToast("danger", MESSAGE);
  }

  // Capture phase: runs before HTMX or the browser sends anything.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var method = (form.getAttribute("method") || form.getAttribute("hx-post") && "post" || "get").toLowerCase();
    if (navigator.onLine || (method === "get" && !form.hasAttribute("hx-post"))) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    refuse(form);
  }, true);

  // HTMX requests that change data (hx-post on a button, for example) while offline.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var verb = (event.detail.requestConfig && event.detail.requestConfig.verb || "get").toLowerCase();
    if (navigator.onLine || verb === "get") return;
    event.preventDefault();
    var form = event.detail.elt.closest("form");
    if (form) refuse(form);
    else if (window.stockroomToast) window.stockroomToast("danger", MESSAGE);
  });

  // Sign-out empties the offline copies of pages.
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action") || "";
    if (action.indexOf("/logout") !== -1 && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
  });

  window.addEventListener("online", banner);
  window.addEventListener("offline", banner);
  document.addEventListener("DOMContentLoaded", banner);
})();
