// Show only the part of the report form that the chosen route needs.
// Without JavaScript every part stays visible and the server still checks everything.
(function () {
  const form = document.getElementById("report-form");
  if (!form) return;
  const sections = form.querySelectorAll("[data-route-section]");
  function update() {
    const chosen = form.querySelector("input[name='route']:checked");
    sections.forEach(function (section) {
      const routes = section.dataset.routeSection.split(" ");
      section.hidden = Boolean(chosen) && !routes.includes(chosen.value);
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "route") update();
  });
  update();
})();
