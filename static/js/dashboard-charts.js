// The dashboard's charts (templates/oversight/dashboard.html). Each canvas names the json_script holding its
// numbers and, per segment, the address of the list behind it: a click (or a tap) on a segment opens that list.
// The table under each chart holds the same links, for the keyboard and screen readers.
(function () {
  if (!window.Chart) return;
  // The portal's palette (static/css/portal.css): blue, green, amber, red, teal, grey, purple.
  const COLOURS = ["#0b5ed7", "#146c43", "#e0a800", "#b02a37", "#0f7b8a", "#5c636a", "#6f42c1"];

  function colours(data) {
    // A doughnut colours its segments; a bar chart its datasets.
    if (data.type === "doughnut") {
      return data.datasets.map(() => ({ backgroundColor: data.labels.map((_, i) => COLOURS[i % COLOURS.length]) }));
    }
    return data.datasets.map((_, i) => ({ backgroundColor: COLOURS[i % COLOURS.length] }));
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const paint = colours(data);
    if (data.horizontal) {
      // One bar per department: the box grows with them, so that each keeps a readable height.
      canvas.parentElement.style.height = Math.max(12, data.labels.length * 1.75 + 3) + "rem";
    }
    const percent = (v) => (data.percent ? v + "%" : v);
    new window.Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set, i) => ({ label: set.label, data: set.data, ...paint[i] })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        indexAxis: data.horizontal ? "y" : "x",
        plugins: {
          legend: { display: data.type === "doughnut" || data.datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.formattedValue)}` } },
        },
        scales:
          data.type === "doughnut"
            ? {}
            : {
                [data.horizontal ? "x" : "y"]: {
                  beginAtZero: true,
                  ...(data.percent ? { max: 100, ticks: { callback: percent } } : { ticks: { precision: 0 } }),
                },
              },
        onClick: (event, elements) => {
          const hit = elements[0];
          const url = hit && data.datasets[hit.datasetIndex].urls[hit.index];
          if (url) window.location.assign(url);
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
