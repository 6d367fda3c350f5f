/* Moved out of the page so the Content-Security-Policy can forbid inline script. */
(function () {
  var data = JSON.parse(document.getElementById("scorecard-data").textContent);
  var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#0d6efd";
  new Chart(document.getElementById("spend-chart"), {
    type: "bar",
    data: { labels: data.months, datasets: [{ label: "Spend", data: data.spend, backgroundColor: brand }] },
    options: { plugins: { legend: { display: false } } }
  });
  new Chart(document.getElementById("variance-chart"), {
    type: "line",
    data: { labels: data.variance_months, datasets: [{ label: "Price variance %", data: data.variance, borderColor: brand }] },
    options: { plugins: { legend: { display: false } } }
  });
})();
