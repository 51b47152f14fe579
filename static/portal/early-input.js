/* Acts on a choice made before htmx was ready.
 *
 * Pickers that redraw their form (the station form's backend, the backend form's
 * kind, the list filters) listen for `change` through htmx. htmx binds those
 * listeners only once the page has loaded, so a choice made before then (a
 * quick pick on a slow link, or a value the browser put back on Back or
 * reload) was lost: the picker showed the choice but the form never adapted.
 * Once htmx has bound the page, every field whose value differs from what the
 * server rendered gets its `change` again, so htmx sends the request the user
 * meant. Content swapped in later is drawn from the server's own values, so it
 * is left alone (and this never loops). Loaded by the base layout after htmx
 * (CSP script-src 'self': no inline code).
 */
(function () {
  "use strict";

  function defaultIndex(select) {
    for (var i = select.options.length - 1; i >= 0; i--) {
      if (select.options[i].defaultSelected) { return i; }
    }
    return select.options.length ? 0 : -1;
  }

  function changed(field) {
    if (field.disabled) { return false; }
    if (field.tagName === "SELECT") {
      if (field.multiple) {
        return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return field.selectedIndex !== defaultIndex(field);
    }
    if (field.type === "checkbox") { return field.checked !== field.defaultChecked; }
    if (field.type === "radio") { return field.checked && !field.defaultChecked; }  // only the one now picked
    if (field.type === "hidden" || field.type === "password" || field.type === "file") { return false; }
    return field.value !== field.defaultValue;
  }

  function replay() {
    document.querySelectorAll("select, input, textarea").forEach(function (field) {
      if (changed(field)) { field.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  }

  // htmx fires htmx:load on the body once it has processed the page, then on each swapped-in part.
  document.addEventListener("htmx:load", function onFirstLoad(event) {
    if (event.target !== document.body) { return; }
    document.removeEventListener("htmx:load", onFirstLoad);
    replay();
  });
})();
