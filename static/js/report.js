// Show only the part of a problem form that its chosen route needs. Works for the report
// page's single form and for each problem on the visit page (each in a [data-route-scope]).
// Without JavaScript every part stays visible and the server still checks everything.
(function () {
  function update(scope) {
    const chosen = scope.querySelector("input[name$='route']:checked");
    scope.querySelectorAll("[data-route-section]").forEach(function (section) {
      const routes = section.dataset.routeSection.split(" ");
      section.hidden = Boolean(chosen) && !routes.includes(chosen.value);
    });
  }
  function scopeOf(element) {
    return element.closest("[data-route-scope]") || document.getElementById("report-form");
  }
  document.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.endsWith("route")) update(scopeOf(event.target));
  });
  window.portalRouteUpdate = update;
  document.querySelectorAll("[data-route-scope], #report-form").forEach(update);
})();
