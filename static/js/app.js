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
      : status === 429 ? "Too many requests in a short time. Please wait a little and try again."
      : "Something went wrong on our side (" + status + "). Please try again.";
    showToast("danger", text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("danger", "The server could not be reached. Check your connection and try again.");
  });

  // --- Behaviour that used to live in inline handlers (onclick=, hx-on, trigger filters). The
  // Content-Security-Policy forbids inline script and eval, so pages declare it with data attributes.

  // data-confirm on a button (or a form): ask before submitting. data-require-checked="selector"
  // refuses with data-require-message when nothing matching is ticked.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (!button) return;
    var required = button.getAttribute("data-require-checked");
    if (required && !document.querySelectorAll(required + ":checked").length) {
      event.preventDefault();
      window.alert(button.getAttribute("data-require-message") || "Choose at least one item first.");
      return;
    }
    if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // data-select-on-click: a read-only field (a new secret) selects itself for copying.
  document.addEventListener("click", function (event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field && field.select) field.select();
  });

  // data-check-all="selector" on a checkbox: ticks or clears every box the selector finds.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll(all.getAttribute("data-check-all")).forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // data-autosubmit: a filter <select> submits its form when it changes.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });

  // data-filtered-change on a form: fires "filtered-change" (the form's hx-trigger) for changes
  // of the fields it cares about: data-change-only="select" (a tag) / data-change-ignore="name".
  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-filtered-change]");
    if (!form) return;
    var only = form.getAttribute("data-change-only");
    var ignore = form.getAttribute("data-change-ignore");
    if (only && event.target.tagName !== only.toUpperCase()) return;
    if (ignore && event.target.name === ignore) return;
    if (window.htmx) window.htmx.trigger(form, "filtered-change");
  });

  // data-scan-reset on a scan form: once the request has its values, clear the code, set the
  // quantity back to 1 and put the cursor back for the next scan.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-scan-reset")) return;
    if (form.elements.code) { form.elements.code.value = ""; form.elements.code.focus(); }
    if (form.elements.quantity) form.elements.quantity.value = "1";
  });
})();
