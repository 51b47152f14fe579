/* Keeps what the user typed when the session ended under an htmx request.
 *
 * The server answers such a request with HX-Redirect to the sign-in page
 * (portal/middleware.py). Before htmx follows it, the fields of the form that
 * sent the request go to sessionStorage (this tab only, never the server),
 * keyed by the page; after signing in, the sign-in page's `next` brings the
 * user back to that page and the values are put back into the form with the
 * same action (also when it arrives later through htmx), with a note saying
 * so. Nothing is sent again by itself: the user checks and saves. Hidden,
 * password and file fields are never kept; a kept value older than an hour is
 * dropped. Loaded by the base layout (CSP script-src 'self': no inline code).
 */
(function () {
  "use strict";
  var KEY = "portal-kept-input";
  var MAX_AGE_MS = 60 * 60 * 1000;
  var SKIP = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1 };

  function here() { return location.pathname + location.search; }

  function keepable(field) {
    return field.name && field.name !== "csrfmiddlewaretoken" && !SKIP[field.type] && !field.disabled;
  }

  function save(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!keepable(field)) { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      fields[field.name] = field.value;
    });
    if (!Object.keys(fields).length) { return; }
    var entry = { page: here(), action: form.getAttribute("action") || "", fields: fields, at: Date.now() };
    try { sessionStorage.setItem(KEY, JSON.stringify(entry)); } catch (e) { /* storage full or off */ }
  }

  function restore(root) {
    var raw;
    try { raw = sessionStorage.getItem(KEY); } catch (e) { return; }
    if (!raw) { return; }
    var entry;
    try { entry = JSON.parse(raw); } catch (e) { sessionStorage.removeItem(KEY); return; }
    if (Date.now() - entry.at > MAX_AGE_MS) { sessionStorage.removeItem(KEY); return; }
    if (entry.page !== here() || !root.querySelectorAll) { return; }
    var forms = root.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if ((form.getAttribute("action") || "") !== entry.action) { continue; }
      Object.keys(entry.fields).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value !== undefined && keepable(field)) { field.value = entry.fields[name]; }
      });
      var note = document.createElement("p");
      note.className = "message info kept-input";
      note.setAttribute("role", "status");
      note.textContent = "What you typed before signing in again is back in this form. Check it and save.";
      form.insertBefore(note, form.firstChild);
      sessionStorage.removeItem(KEY);
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      return;
    }
  }

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var target = xhr && xhr.getResponseHeader("HX-Redirect");
    if (!target || target.indexOf("/accounts/login/") !== 0) { return; }
    var elt = event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form) { save(form); }
  });
  document.addEventListener("htmx:load", function (event) { restore(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { restore(document); });
})();
