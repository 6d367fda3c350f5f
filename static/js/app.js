/* Stockroom's small client script: toasts, the shared modal, focus after swaps. No build step. */
(function () {
  "use strict";

  function showToast(level, text) {
    var template = document.getElementById("toast-template");
    var container = document.getElementById("toasts");
    if (!template || !container) return;
    var toast = template.content.firstElementChild.cloneNode(true);
    var bg = level === "error" ? "danger" : (level || "info");
    toast.classList.add("text-bg-" + bg);
    if (bg === "danger" || bg === "warning") toast.setAttribute("role", "alert");
    toast.querySelector(".toast-body").textContent = text;
    container.appendChild(toast);
    var instance = bootstrap.Toast.getOrCreateInstance(toast, { delay: bg === "danger" ? 10000 : 5000 });
    toast.addEventListener("hidden.bs.toast", function () { toast.remove(); });
    instance.show();
  }
  window.stockroomToast = showToast;

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast[data-autoshow]").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el, { delay: 6000 }).show();
    });
  });

  // HX-Trigger: {"toast": [{"level": "success", "text": "Saved."}]}
  document.body.addEventListener("toast", function (event) {
    var items = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail;
    (Array.isArray(items) ? items : [items]).forEach(function (item) {
      if (item && item.text) showToast(item.level, item.text);
    });
  });

  // The shared modal opens when HTMX swaps content into it, and closes on HX-Trigger: closeModal.
  var modalEl = document.getElementById("modal");
  if (modalEl) {
    var modal = bootstrap.Modal.getOrCreateInstance(modalEl);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "modal-body") {
        modal.show();
        var first = modalEl.querySelector("input:not([type=hidden]), select, textarea, button");
        if (first) first.focus();
      }
    });
    document.body.addEventListener("closeModal", function () { modal.hide(); });
    modalEl.addEventListener("hidden.bs.modal", function () {
      document.getElementById("modal-body").innerHTML = "";
    });
  }

  // Server errors on HTMX requests are said in words, not swallowed.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403 ? "You don't have permission to do that."
      : status === 404 ? "That item no longer exists."
      : "Something went wrong on our side (" + status + "). Please try again.";
    showToast("danger", text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("danger", "The server could not be reached. Check your connection and try again.");
  });
})();
