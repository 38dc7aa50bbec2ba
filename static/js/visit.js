// "Add a problem": copy the empty problem form, number it, and count it in the formset.
(function () {
  const button = document.getElementById("add-problem");
  const template = document.getElementById("problem-template");
  const list = document.getElementById("problems");
  const total = document.getElementById("id_problems-TOTAL_FORMS");
  if (!button || !template || !list || !total) return;
  button.addEventListener("click", function () {
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = list.lastElementChild;
    if (window.portalRouteUpdate) window.portalRouteUpdate(added);
    const first = added.querySelector("input[type='text']");
    if (first) first.focus();
  });
})();
