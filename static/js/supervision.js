// The inspection form (templates/supervision/inspection_form.html): show only the picker of what was
// inspected, the earlier inspection for a follow-up alone, and what the enterprise said for an unannounced
// visit to an enterprise alone. Without this script every field shows; the service refuses what does not fit.
(function () {
  const form = document.querySelector("form[data-inspection-form]");
  if (!form) return;

  function chosen(name) {
    const checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : "";
  }

  function wrapper(name) {
    return document.getElementById("div_id_" + name);
  }

  function show(name, visible) {
    const field = wrapper(name);
    // A field the server found fault with stays in sight, whatever is chosen.
    if (field) field.hidden = !visible && !field.querySelector(".is-invalid");
  }

  function update() {
    const target = chosen("target");
    const kind = chosen("kind");
    ["cadre", "enterprise", "department", "street"].forEach(function (picker) {
      show(picker, target === picker);
    });
    show("follows", kind === "follow_up");
    const said = kind === "unannounced" && target === "enterprise";
    ["visits_confirmed", "said_of_cadre", "said_of_departments"].forEach(function (name) {
      show(name, said);
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "target" || event.target.name === "kind") update();
  });
  update();
  // After drafts.js has filled in what was typed before.
  window.addEventListener("load", update);
})();
