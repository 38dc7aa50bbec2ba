// The compliance page's chart: the share of cadres meeting the two-visit rule, month by month.
// The numbers come from the page itself (json_script), so the chart costs no extra request.
(function () {
  const canvas = document.getElementById("compliance-chart");
  const source = document.getElementById("compliance-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ data: data.rates, borderColor: "#198754", backgroundColor: "rgba(25,135,84,.15)", fill: true, spanGaps: true, tension: 0.2 }],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
    },
  });
})();
