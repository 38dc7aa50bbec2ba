// Offer only the chosen department's staff as the responsible person's account, in every
// assignment form ([data-roadmap]). Without JavaScript every staff member is listed with their
// department, and the server refuses one who is not on the chosen department's staff.
(function () {
  function update(scope) {
    const department = scope.querySelector("select[name$='department']");
    const staff = scope.querySelector("select[name$='responsible_staff']");
    if (!department || !staff) return;
    staff.querySelectorAll("option[data-department]").forEach(function (option) {
      const fits = !department.value || option.dataset.department === department.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) staff.value = "";
    });
  }
  document.addEventListener("change", function (event) {
    const scope = event.target.closest && event.target.closest("[data-roadmap]");
    if (scope && event.target.name && event.target.name.endsWith("department")) update(scope);
  });
  document.querySelectorAll("[data-roadmap]").forEach(update);
})();
