// The visit's problem cards: "Add a problem" copies the empty problem form, numbers it and counts it
// in the formset; each card's remove button ticks the card's DELETE box and hides it. A removed card
// stays in the page, so TOTAL_FORMS and every field's name stay as they were (a kept draft restores
// the same cards, drafts.js); the server reports none whose DELETE box is ticked (visits/forms.py).
(function () {
  const button = document.getElementById("add-problem");
  const template = document.getElementById("problem-template");
  const list = document.getElementById("problems");
  const total = document.getElementById("id_problems-TOTAL_FORMS");
  const status = document.getElementById("problems-status");
  if (!button || !template || !list || !total) return;

  function cards() {
    return Array.prototype.slice.call(list.querySelectorAll(".problem-form"));
  }

  // Number the cards kept, 1, 2, …, as the server numbers them in its banner of errors.
  function renumber() {
    let number = 0;
    cards().forEach(function (card) {
      if (card.hidden) return;
      number += 1;
      const place = card.querySelector("[data-problem-number]");
      if (place) place.textContent = String(number);
    });
  }

  function offerRemoval(card) {
    const remove = card.querySelector("[data-remove-problem]");
    if (remove) remove.hidden = false;
  }

  // A card removed (by its button, or by a restored draft ticking its box) leaves the page's view and
  // the banner of errors at the top of the form.
  function showRemoved(card, removed) {
    card.hidden = removed;
    const entry = document.querySelector("[data-problem-card='" + card.id + "']");
    if (entry) entry.hidden = removed;
    const banner = document.getElementById("problem-errors");
    if (banner) banner.hidden = !banner.querySelector("[data-problem-card]:not([hidden]), [data-problems-error]");
    renumber();
  }

  cards().forEach(offerRemoval);
  renumber();

  button.addEventListener("click", function () {
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = list.lastElementChild;
    // A card's search pickers (core/pickers.py) ask the server through htmx, which must see the new card.
    if (window.htmx) window.htmx.process(added);
    offerRemoval(added);
    renumber();
    if (window.portalRouteUpdate) window.portalRouteUpdate(added);
    const first = added.querySelector("input[type='text']");
    if (first) first.focus();
  });

  list.addEventListener("click", function (event) {
    const remove = event.target.closest && event.target.closest("[data-remove-problem]");
    if (!remove) return;
    const card = remove.closest(".problem-form");
    const box = card && card.querySelector("[data-problem-delete]");
    if (!box) return;
    box.checked = true;
    // Announced as a change, so that drafts.js keeps the removal with the rest of the form.
    box.dispatchEvent(new Event("change", { bubbles: true }));
    button.focus(); // the removed card's button is gone from view: the focus goes where work goes on
    if (status) {
      status.textContent = ""; // emptied first, so that a second removal is announced again
      window.setTimeout(function () {
        status.textContent = status.dataset.removed || "";
      }, 50);
    }
  });

  list.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-problem-delete]")) return;
    const card = event.target.closest(".problem-form");
    if (card) showRemoved(card, event.target.checked);
  });
})();
