/* Moved out of the page so the Content-Security-Policy can forbid inline script. */
(function () {
  var d = JSON.parse(document.getElementById("forecast-data").textContent);
  var labels = d.history_labels.concat(d.labels);
  var pad = d.history_labels.map(function () { return null; });
  var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#0d6efd";
  new Chart(document.getElementById("forecast-chart"), {
    type: "line",
    data: { labels: labels, datasets: [
      { label: "Demand", data: d.history, borderColor: "#6c757d", pointRadius: 0 },
      { label: "95% band (high)", data: pad.concat(d.upper_95), borderColor: "transparent", backgroundColor: "rgba(13,110,253,0.10)", fill: "+1", pointRadius: 0 },
      { label: "95% band (low)", data: pad.concat(d.lower_95), borderColor: "transparent", pointRadius: 0 },
      { label: "80% band (high)", data: pad.concat(d.upper_80), borderColor: "transparent", backgroundColor: "rgba(13,110,253,0.20)", fill: "+1", pointRadius: 0 },
      { label: "80% band (low)", data: pad.concat(d.lower_80), borderColor: "transparent", pointRadius: 0 },
      { label: "Forecast", data: pad.concat(d.forecast), borderColor: brand, pointRadius: 0 },
      { label: "Projected stock", data: pad.concat(d.projection), borderColor: "#198754", borderDash: [4, 4], pointRadius: 0, yAxisID: "stock" },
      { label: "Reorder point", data: pad.concat(d.labels.map(function () { return d.reorder_point; })), borderColor: "#dc3545", borderDash: [2, 2], pointRadius: 0, yAxisID: "stock" }
    ] },
    options: { interaction: { mode: "index", intersect: false }, scales: { y: { beginAtZero: true, title: { display: true, text: "Units a day" } }, stock: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Units in stock" } } } }
  });
})();
