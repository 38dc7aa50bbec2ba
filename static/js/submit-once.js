// A form marked data-submit-once is sent once per tap: its submit buttons are disabled while it is
// being sent, so a double tap on a slow phone sends one request. The server stands behind this
// (each such form carries a one-time token, core/submissions.py), so a retry is harmless; that is
// why the buttons come back after a while, for a user who stopped a request that hung on a weak signal.
(function () {
  const TOKEN = "submission";
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

  // The token each form of this page was sent with, kept in this history entry's state: it survives
  // the browser loading the page again when the user comes back, and belongs to this entry alone.
  function sentKey(form) {
    return "submitOnce:" + (form.getAttribute("action") || "") + "#" + form.id;
  }

  function remember(form) {
    const token = form.elements.namedItem(TOKEN);
    if (!token) return;
    try {
      window.history.replaceState(Object.assign({}, window.history.state, { [sentKey(form)]: token.value }), "");
    } catch (error) {
      // A state the browser refuses: coming back to a reloaded page then brings a new token.
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
    if (event.defaultPrevented) return; // another script kept the form from being sent
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    remember(form);
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

  // Back to a sent form that the browser loads again instead: it refills what the user typed, but
  // the page brings a new token, and the same form sent again would be filed twice. It is the same
  // submission: give it back the token it was sent with.
  const navigation = window.performance.getEntriesByType("navigation")[0];
  if (!navigation || navigation.type !== "back_forward") return;
  const sent = window.history.state || {};
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    const token = form.elements.namedItem(TOKEN);
    if (token && sent[sentKey(form)]) token.value = sent[sentKey(form)];
  });
})();
