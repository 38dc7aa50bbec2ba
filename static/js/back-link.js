// The error pages' "Go back" button: shown only when there is a page to go back to.
(function () {
  "use strict";
  if (window.history.length <= 1) {
    return;
  }
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.classList.remove("d-none");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });
})();
