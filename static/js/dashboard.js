/* The dashboard's charts and layout focus. Each widget arrives as an HTMX partial; a
   canvas with data-chart-src is drawn from that widget's JSON endpoint. The figures are
   always in a table next to the chart too, so nothing depends on this script. */
(function () {
  "use strict";

  var palette = ["#0d6efd", "#fd7e14", "#20c997", "#6f42c1", "#dc3545", "#198754", "#ffc107", "#0dcaf0", "#6c757d", "#d63384"];

  function brand() {
    return getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || palette[0];
  }

  // Long category labels (SKUs) are cut on narrow screens; the table has them in full.
  function shortLabel(axis, spec) {
    var categories = (spec.indexAxis || "x") === axis;
    return function (value) {
      var label = categories ? this.getLabelForValue(value) : value;
      if (!categories) return typeof label === "number" ? label.toLocaleString() : label;
      var max = window.innerWidth < 576 ? 10 : 22;
      return typeof label === "string" && label.length > max ? label.slice(0, max - 1) + "…" : label;
    };
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
          if (ds.band) {
            // A forecast interval: an unlabelled shaded area between its low and high lines.
            return Object.assign({}, ds, {
              borderWidth: 0, pointRadius: 0, borderColor: "transparent",
              backgroundColor: "rgba(253, 126, 20, 0.18)", fill: ds.band === "high" ? "-1" : false
            });
          }
          return Object.assign({}, ds, {
            backgroundColor: doughnut ? palette.slice(0, ds.data.length) : colour,
            borderColor: doughnut ? "#fff" : colour,
            borderDash: ds.dashed ? [6, 4] : undefined,
            spanGaps: false,
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
            plugins: {
              legend: {
                display: doughnut || datasets.length > 1,
                position: "bottom",
                labels: {
                  filter: function (item, data) {
                    var ds = data.datasets[item.datasetIndex];
                    return !(ds && ds.band);
                  }
                }
              }
            },
            scales: doughnut ? {} : {
              x: { stacked: !!spec.stacked, ticks: { callback: shortLabel("x", spec) } },
              y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { callback: shortLabel("y", spec) } }
            }
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
