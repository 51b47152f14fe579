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
 * is left alone (and this never loops).
 *
 * The same gap opens on every swap: htmx binds the new part only when it
 * settles (about 20 ms later; until then the part carries the class
 * `htmx-added`). A change made inside that gap (the template picker that
 * appears after "Use a hardware template", picked at once) is noted and sent
 * again once htmx has bound the part. Loaded by the base layout after htmx
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

  // Changes made in a swapped-in part that htmx has not bound yet.
  var missed = [];
  document.addEventListener("change", function (event) {
    var added = (window.htmx && htmx.config.addedClass) || "htmx-added";
    var field = event.target;
    if (field && field.closest && field.closest("." + added) && missed.indexOf(field) < 0) { missed.push(field); }
  }, true);

  // htmx fires htmx:load on the body once it has processed the page, then on each swapped-in part.
  var firstLoad = true;
  document.addEventListener("htmx:load", function (event) {
    if (firstLoad && event.target === document.body) {
      firstLoad = false;
      replay();
      return;
    }
    var part = event.target;
    missed = missed.filter(function (field) {
      if (!field.isConnected) { return false; }
      if (!part.contains || !part.contains(field)) { return true; }
      field.dispatchEvent(new Event("change", { bubbles: true }));
      return false;
    });
  });
})();
