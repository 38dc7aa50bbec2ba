// A form marked data-draft="<name>" keeps what the user types in this browser until the server
// confirms that the form is saved (core/drafts.py). While the database is down the user meets the
// 500 page; back at the form, what they typed is filled in again, with a notice and a way to clear it.
//
// A draft lives in localStorage under "portal-draft:<user id>:<the form's action>#<name>", so one
// user's drafts never show for another on a shared computer. It holds the form's fields (text,
// textarea, select, date, checkboxes and radios; never a password, hidden, file or token field), the
// time of its last change and whether the form was sent since. It goes only when
//   - a page carries the server's word that what was sent to that action is saved ([data-draft-saved]);
//   - the user clears it, or logs out (the login page then carries [data-drafts-logged-out]);
//   - it is older than KEEP_DAYS.
// A 500 or 503 page, a lost connection, a refusal or the form shown again with its errors leave it.
//
// A search picker's select (core/pickers.py, inside .picker) holds only the row chosen and a search's
// matches, so the draft keeps the chosen option's label too: restored into a page whose select does not
// list that row, the option is added back with its label, and the choice survives.
(function () {
  "use strict";
  const PREFIX = "portal-draft:";
  const KEEP_DAYS = 7;
  const DAY_MS = 24 * 60 * 60 * 1000;
  const SAVE_AFTER_MS = 400;
  const NOT_KEPT = ["password", "hidden", "file", "submit", "button", "reset", "image"];
  const MAX_ADDED = 20; // rows a form's "add" button may add to make room for a draft's fields

  let storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(PREFIX);
  } catch (error) {
    return; // a browser that refuses storage: the forms work as before, without drafts
  }

  function read(key) {
    try {
      const record = JSON.parse(storage.getItem(key));
      return record && typeof record === "object" && record.values && typeof record.values === "object"
        ? record
        : null;
    } catch (error) {
      return null;
    }
  }

  function write(key, record) {
    try {
      storage.setItem(key, JSON.stringify(record));
    } catch (error) {
      // Storage full or refused: the form is sent as usual, only without a kept copy.
    }
  }

  function remove(key) {
    try {
      storage.removeItem(key);
    } catch (error) {
      // nothing kept, nothing to remove
    }
  }

  function draftKeys() {
    const keys = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  // "/path/?query" of a URL: what the server's request.get_full_path() says of the same address.
  function target(url) {
    const parsed = new URL(url, window.location.href);
    return parsed.pathname + parsed.search;
  }

  const user = document.body.dataset.draftUser || "";

  function keyOf(form) {
    // getAttribute: form.action would be a field of the form if one were named "action".
    const action = target(form.getAttribute("action") || window.location.href);
    return PREFIX + user + ":" + action + "#" + form.dataset.draft;
  }

  // --- The fields a draft keeps, and their values ---

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.hasAttribute("data-draft-skip")) return false;
      if (field.tagName === "TEXTAREA" || field.tagName === "SELECT") return true;
      return field.tagName === "INPUT" && NOT_KEPT.indexOf(field.type) === -1;
    });
  }

  function isChoice(field) {
    return field.type === "checkbox" || field.type === "radio";
  }

  function byName(form) {
    const groups = {};
    fields(form).forEach(function (field) {
      (groups[field.name] = groups[field.name] || []).push(field);
    });
    return groups;
  }

  function selected(select, asSent) {
    const options = Array.prototype.slice.call(select.options);
    let chosen = options.filter(function (option) {
      return asSent ? option.defaultSelected : option.selected;
    });
    if (asSent && !chosen.length && !select.multiple && select.size <= 1) {
      // A drop-down the server sent with nothing marked shows its first option.
      chosen = options.filter(function (option) {
        return !option.disabled;
      }).slice(0, 1);
    }
    const values = chosen.map(function (option) {
      return option.value;
    });
    return select.multiple ? values : values[0] || "";
  }

  // One name's value: the checked values of a group of checkboxes or radios, else each field's value
  // in page order. asSent: as the server sent the page, rather than as it is now.
  function valueOf(group, asSent) {
    if (isChoice(group[0])) {
      return group
        .filter(function (field) {
          return asSent ? field.defaultChecked : field.checked;
        })
        .map(function (field) {
          return field.value;
        });
    }
    return group.map(function (field) {
      if (field.tagName === "SELECT") return selected(field, asSent);
      return asSent ? field.defaultValue : field.value;
    });
  }

  function isPicker(field) {
    return field.tagName === "SELECT" && !field.multiple && !!field.closest(".picker");
  }

  // The labels of the options chosen in a form's search pickers: { name: [label, ...] }, as its values.
  function labelsOf(form) {
    const groups = byName(form);
    const labels = {};
    Object.keys(groups).forEach(function (name) {
      if (!groups[name].every(isPicker)) return;
      labels[name] = groups[name].map(function (select) {
        const option = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
        return option && option.value ? option.text : "";
      });
    });
    return labels;
  }

  // A picker's chosen row the select does not list (only the matches of a search are there): add it back,
  // after the empty choice, with the label the draft kept.
  function offer(select, value, label) {
    if (!isPicker(select) || typeof value !== "string" || !value || typeof label !== "string" || !label) return;
    const listed = Array.prototype.some.call(select.options, function (option) {
      return option.value === value;
    });
    if (listed) return;
    const option = new Option(label, value);
    const first = select.options[0];
    if (first && !first.value) first.after(option);
    else select.prepend(option);
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function valuesOf(form, asSent) {
    const groups = byName(form);
    const values = {};
    Object.keys(groups).forEach(function (name) {
      values[name] = valueOf(groups[name], asSent);
    });
    return values;
  }

  function put(group, value, labels) {
    if (isChoice(group[0])) {
      group.forEach(function (field) {
        field.checked = value.indexOf(field.value) !== -1;
      });
      return;
    }
    group.forEach(function (field, index) {
      const kept = value[index];
      if (kept === undefined || kept === null) return;
      if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = kept.indexOf(option.value) !== -1;
        });
      } else {
        if (labels) offer(field, kept, labels[index]);
        field.value = kept;
      }
    });
  }

  // --- Keeping: on every change, a little later; at once when the form is sent or the page left ---

  const waiting = {};
  let restoring = false;

  function keep(form, sent) {
    const key = keyOf(form);
    if (waiting[key]) {
      window.clearTimeout(waiting[key].timer);
      delete waiting[key];
    }
    const earlier = read(key);
    const now = valuesOf(form, false);
    if (!earlier && same(now, valuesOf(form, true))) return; // nothing typed: nothing to keep
    // Fields the draft holds that this page does not (yet) show are kept as they were.
    const values = Object.assign({}, earlier ? earlier.values : {}, now);
    const labels = Object.assign({}, earlier && earlier.labels ? earlier.labels : {}, labelsOf(form));
    write(key, { values: values, labels: labels, at: Date.now(), sent: sent ? Date.now() : null });
  }

  function keepSoon(form) {
    const key = keyOf(form);
    if (waiting[key]) window.clearTimeout(waiting[key].timer);
    waiting[key] = {
      form: form,
      timer: window.setTimeout(function () {
        keep(form, false);
      }, SAVE_AFTER_MS),
    };
  }

  function keepWaiting() {
    Object.keys(waiting).forEach(function (key) {
      keep(waiting[key].form, false);
    });
  }

  function draftForm(target) {
    const form = target && target.form;
    return form && form.hasAttribute("data-draft") ? form : null;
  }

  // --- Forgetting: what the server says is saved, what the user logged out of, what is too old ---

  function forget() {
    const oldest = Date.now() - KEEP_DAYS * DAY_MS;
    draftKeys().forEach(function (key) {
      const record = read(key);
      if (!record || !(record.at > oldest)) remove(key);
    });
    document.querySelectorAll("[data-drafts-logged-out]").forEach(function (marker) {
      const stem = PREFIX + marker.getAttribute("data-drafts-logged-out") + ":";
      draftKeys().forEach(function (key) {
        if (key.indexOf(stem) === 0) remove(key);
      });
    });
    if (!user) return;
    document.querySelectorAll("[data-draft-saved]").forEach(function (marker) {
      const stem = PREFIX + user + ":" + target(marker.getAttribute("data-draft-saved")) + "#";
      draftKeys().forEach(function (key) {
        const record = read(key);
        // Only a draft that was sent: one typed since (in another tab, say) is not what was saved.
        if (key.indexOf(stem) === 0 && record && record.sent) remove(key);
      });
    });
  }

  // --- Restoring: fill in, into the fields still as the server sent them, what the draft holds ---

  function announce(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function makeRoom(form, values) {
    // A draft may hold rows the user added (a visit's problems): the form's own "add" button adds them.
    const add = form.dataset.draftAdd && document.getElementById(form.dataset.draftAdd);
    if (!add) return;
    const focused = document.activeElement;
    function gaps() {
      const groups = byName(form);
      return Object.keys(values).filter(function (name) {
        return !groups[name];
      }).length;
    }
    let left = gaps();
    for (let added = 0; left > 0 && added < MAX_ADDED; added += 1) {
      add.click();
      const now = gaps();
      if (now >= left) break; // the button added none of them
      left = now;
    }
    // The button moves the focus into the row it adds; the user did not ask for that.
    if (document.activeElement !== focused && document.activeElement && document.activeElement.blur) {
      document.activeElement.blur();
    }
  }

  function restore(form, record) {
    makeRoom(form, record.values);
    const groups = byName(form);
    const filled = [];
    restoring = true;
    try {
      Object.keys(record.values).forEach(function (name) {
        const group = groups[name];
        const value = record.values[name];
        if (!group || !Array.isArray(value)) return;
        const now = valueOf(group, false);
        if (same(now, value)) return;
        if (!same(now, valueOf(group, true))) return; // the user, or the browser, filled it in already
        const labels = record.labels && Array.isArray(record.labels[name]) ? record.labels[name] : null;
        put(group, value, labels);
        Array.prototype.push.apply(filled, group);
      });
      filled.forEach(announce); // so the page's other scripts show the parts the values call for
    } finally {
      restoring = false;
    }
    return filled.length > 0;
  }

  function notice(form) {
    const box = document.createElement("div");
    box.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 py-2 draft-notice";
    box.setAttribute("role", "status");
    const text = document.createElement("span");
    text.className = "flex-grow-1";
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "btn btn-sm btn-outline-secondary";
    clear.textContent = document.body.dataset.draftDiscard || "";
    clear.addEventListener("click", function () {
      form.reset(); // the reset listener below forgets the draft and removes this notice
      const first = fields(form)[0];
      if (first) first.focus();
    });
    box.append(text, clear);
    form.before(box);
    // Written once the status region is in the page, so that a screen reader announces it.
    window.setTimeout(function () {
      text.textContent = document.body.dataset.draftRestored || "";
    }, 50);
    return box;
  }

  const notices = new Map();

  forget();
  if (!user) return;

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    const record = read(keyOf(form));
    if (!record || !restore(form, record)) return;
    const details = form.closest("details");
    if (details) details.open = true;
    notices.set(form, notice(form));
  });

  document.addEventListener("input", function (event) {
    const form = draftForm(event.target);
    if (form && !restoring) keepSoon(form);
  });
  document.addEventListener("change", function (event) {
    const form = draftForm(event.target);
    if (form && !restoring) keepSoon(form);
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-draft")) return;
    if (event.defaultPrevented) return; // not sent (submit-once.js stopped a second tap)
    keep(form, true);
  });
  document.addEventListener("reset", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-draft")) return;
    const key = keyOf(form);
    if (waiting[key]) window.clearTimeout(waiting[key].timer);
    delete waiting[key];
    remove(key);
    if (notices.has(form)) {
      notices.get(form).remove();
      notices.delete(form);
    }
    // After the browser has put the fields back: show the parts of the form they call for.
    window.setTimeout(function () {
      restoring = true;
      try {
        fields(form).filter(isChoice).forEach(announce);
        fields(form)
          .filter(function (field) {
            return field.tagName === "SELECT";
          })
          .forEach(announce);
      } finally {
        restoring = false;
      }
    }, 0);
  });
  window.addEventListener("pagehide", keepWaiting);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") keepWaiting();
  });
})();
