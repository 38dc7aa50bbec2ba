// A form marked data-submit-once is sent once per tap: its submit buttons are disabled while it is
// being sent, so a double tap on a slow phone sends one request. The server stands behind this
// (each such form carries a one-time token, core/submissions.py), so a retry is harmless; that is
// why the buttons come back after a while, for a user who stopped a request that hung on a weak signal.
(function () {
  const RETRY_AFTER_MS = 20000;

  function buttons(form) {
    return form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']");
  }

  function release(form) {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (button) {
      button.disabled = false;
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    // After this event, so that the form is sent as it was (a disabled button sends no value).
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
    window.setTimeout(function () {
      release(form);
    }, RETRY_AFTER_MS);
  });

  // Back to a page kept in the back-forward cache: it is shown as it was left, buttons disabled.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(release);
  });
})();
