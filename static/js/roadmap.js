// Offer only the chosen department's staff as the responsible person's account, in every
// assignment form ([data-roadmap]). Without JavaScript every staff member is listed with their
// department, and the server refuses one who is not on the chosen department's staff.
// Past a district's size both are search pickers (core/pickers.py): the person's search is narrowed
// to the chosen department on the server, and choosing a department lists its staff at once.
(function () {
  function update(scope, chosenNow) {
    const department = scope.querySelector("select[name$='department']");
    const staff = scope.querySelector("select[name$='responsible_staff']");
    if (!department || !staff) return;
    staff.querySelectorAll("option[data-department]").forEach(function (option) {
      const fits = !department.value || option.dataset.department === department.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) staff.value = "";
    });
    const search = document.getElementById(staff.id + "-search");
    if (chosenNow && search && department.value && window.htmx) {
      search.value = "";
      window.htmx.trigger(search, "search");
    }
  }
  document.addEventListener("change", function (event) {
    const scope = event.target.closest && event.target.closest("[data-roadmap]");
    if (scope && event.target.name && event.target.name.endsWith("department")) update(scope, true);
  });
  // A search's answer may hold another department's staff only if the department changed meanwhile.
  document.addEventListener("htmx:afterSwap", function (event) {
    const scope = event.target.closest && event.target.closest("[data-roadmap]");
    if (scope) update(scope, false);
  });
  document.querySelectorAll("[data-roadmap]").forEach(function (scope) {
    update(scope, false);
  });
})();
