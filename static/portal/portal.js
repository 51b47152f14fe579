/* Small page helpers for every page (CSP: served from 'self', no inline script).
 *
 * A table wider than its box scrolls inside `.table-wrap`; keyboard users can only
 * scroll it if it can take the focus, so such a box becomes a focusable, named region
 * (WCAG 2.1.1; axe-core's scrollable-region-focusable). Boxes that fit stay out of the
 * tab order. Checked on load, on resize and after every htmx swap.
 */
(function () {
  "use strict";

  function mark(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var table = box.querySelector("caption, h2, h3");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (table ? table.textContent.trim() : "Table") + " (scrolls)");
        box.dataset.scrollFocus = "1";
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollFocus;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { mark(document); });
  document.addEventListener("htmx:afterSettle", function () { mark(document); });
  document.addEventListener("toggle", function () { mark(document); }, true);  // a <details> opened
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(mark, 150); });
})();
