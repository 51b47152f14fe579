/* Station list selection: "check this page", shift-click ranges, and a live count. Plain checkboxes work without it. */
(function () {
  "use strict";
  var last = null;

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="station"][form="bulk-form"]')); }

  function update() {
    var all = boxes(), checked = all.filter(function (b) { return b.checked; }).length;
    var page = document.getElementById("select-page"), count = document.getElementById("bulk-count");
    if (page) {
      page.hidden = false;
      page.checked = all.length > 0 && checked === all.length;
      page.indeterminate = checked > 0 && checked < all.length;
    }
    // The words come from the page (data-none, data-some with "{n}"), in the reader's language.
    if (count) { count.textContent = checked ? (count.dataset.some || "{n} checked").replace("{n}", checked) : (count.dataset.none || "Check stations to act on them"); }
    var button = document.getElementById("bulk-checked");
    if (button) { button.disabled = checked === 0; }
  }

  document.addEventListener("click", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") { return; }
    if (box.id === "select-page") {
      boxes().forEach(function (b) { b.checked = box.checked; });
    } else if (box.name === "station") {
      var all = boxes();
      if (event.shiftKey && last && all.indexOf(last) >= 0) {
        var a = all.indexOf(last), b = all.indexOf(box);
        all.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (x) { x.checked = box.checked; });
      }
      last = box;
    } else { return; }
    update();
  });
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", function () { last = null; update(); });
}());
