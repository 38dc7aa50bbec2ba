// The monthly report's Print button (templates/oversight/report.html): the browser's own print, which
// print-report.css lays out on A4. A script file, as the Content Security Policy refuses inline handlers.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
