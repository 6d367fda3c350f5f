/* Small accessibility fixes applied to every page and after every HTMX swap. */
(function () {
  "use strict";

  // A table that scrolls sideways must be reachable by keyboard (and named for screen readers).
  function scrollRegions(root) {
    (root || document).querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table, scrolls sideways");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { scrollRegions(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scrollRegions(event.target); });
})();
