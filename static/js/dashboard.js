/* The dashboard's charts and layout focus. Each widget arrives as an HTMX partial; a
   canvas with data-chart-src is drawn from that widget's JSON endpoint. The figures are
   always in a table next to the chart too, so nothing depends on this script. */
(function () {
  "use strict";

  var palette = ["#0d6efd", "#fd7e14", "#20c997", "#6f42c1", "#dc3545", "#198754", "#ffc107", "#0dcaf0", "#6c757d", "#d63384"];

  function brand() {
    return getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || palette[0];
  }

  function draw(canvas) {
    if (!window.Chart || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    fetch(canvas.dataset.chartSrc, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (spec) {
        var doughnut = spec.type === "doughnut";
        var datasets = spec.datasets.map(function (ds, i) {
          var colour = i === 0 ? brand() : palette[i % palette.length];
          return Object.assign({}, ds, {
            backgroundColor: doughnut ? palette.slice(0, ds.data.length) : colour,
            borderColor: doughnut ? "#fff" : colour,
            tension: 0.2
          });
        });
        var existing = window.Chart.getChart(canvas);
        if (existing) existing.destroy();
        new window.Chart(canvas, {
          type: spec.type,
          data: { labels: spec.labels, datasets: datasets },
          options: {
            indexAxis: spec.indexAxis || "x",
            maintainAspectRatio: false,
            animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
            plugins: { legend: { display: doughnut || datasets.length > 1, position: "bottom" } },
            scales: doughnut ? {} : { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } }
          }
        });
      })
      .catch(function () {
        var note = document.createElement("p");
        note.className = "small text-danger mb-0";
        note.textContent = "The chart could not be drawn; the figures are in the table below.";
        canvas.replaceWith(note);
      });
  }

  function drawIn(root) {
    root.querySelectorAll("canvas[data-chart-src]").forEach(draw);
  }

  // A refreshed widget replaces its canvas: free the old chart first.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!window.Chart || !event.detail.target) return;
    event.detail.target.querySelectorAll("canvas").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    drawIn(event.detail.target || document);
  });

  // After a layout change the server names the button that was pressed (HX-Trigger-After-Settle):
  // keep keyboard focus on it, or on its neighbour when it became disabled at either end.
  document.body.addEventListener("dashboardFocus", function (event) {
    var id = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail;
    var button = document.getElementById(id);
    if (button && button.disabled) {
      var other = id.indexOf("move-up-") === 0 ? id.replace("move-up-", "move-down-") : id.replace("move-down-", "move-up-");
      button = document.getElementById(other);
    }
    if (button) button.focus();
  });

  // Picking a date means a custom range.
  var period = document.getElementById("range-period");
  ["range-from", "range-to"].forEach(function (id) {
    var input = document.getElementById(id);
    if (input && period) input.addEventListener("change", function () { period.value = "custom"; });
  });
})();
