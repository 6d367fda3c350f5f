/* Weekly forecast accuracy (forecasting pages): drawn from the JSON at the canvas's
   data-chart-src. A file, not inline script, so the Content-Security-Policy can forbid
   inline script; the page's table has the same figures. */
(function () {
  "use strict";
  var canvas = document.getElementById("accuracy-chart");
  if (!canvas || !window.Chart) return;
  var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#0d6efd";
  fetch(canvas.dataset.chartSrc, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (spec) {
      var colours = [brand, "#fd7e14"];
      new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (ds, i) {
            return Object.assign({}, ds, { borderColor: colours[i], backgroundColor: colours[i], spanGaps: false, tension: 0.2 });
          })
        },
        options: {
          maintainAspectRatio: false,
          animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "bottom" } },
          scales: {
            y: { beginAtZero: true, title: { display: true, text: "Error (WAPE, %)" } },
            mase: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Scaled error (MASE)" } }
          }
        }
      });
    })
    .catch(function () {
      var note = document.createElement("p");
      note.className = "small text-body-secondary";
      note.textContent = "The chart could not be drawn; the figures are in the table below.";
      canvas.parentNode.after(note);
    });
})();
