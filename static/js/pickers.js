// A search picker's box (core/pickers.py, templates/core/_picker.html): Enter there searches at once, as
// the box says, instead of sending the whole form (the browser's implicit submission would save it, or
// show it again with errors, and the matches would be lost). Enter that ends an input method's composition
// (typing Chinese) is the input method's own. Each picker includes this script: it acts once.
(function () {
  "use strict";
  if (window.portalPickers) return;
  window.portalPickers = true;
  document.addEventListener("keydown", function (event) {
    const box = event.target;
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    if (!(box instanceof HTMLInputElement) || !box.matches(".picker input[type='search']")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(box, "search");
  });
})();
