/* Small page helpers for every page (CSP: served from 'self', no inline script).
 *
 * A table wider than its box scrolls inside `.table-wrap`; keyboard users can only
 * scroll it if it can take the focus, so such a box becomes a focusable, named region
 * (WCAG 2.1.1; axe-core's scrollable-region-focusable). Boxes that fit stay out of the
 * tab order. Checked on load, on resize and after every htmx swap.
 */
(function () {
  "use strict";

  /* What the table is: its caption or label, else the heading just before its box. */
  function nameOf(box) {
    var table = box.querySelector("table");
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    if (table && table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var by = table && table.getAttribute("aria-labelledby");
    var labelled = by && document.getElementById(by);
    if (labelled) return labelled.textContent.trim();
    for (var prev = box.previousElementSibling; prev; prev = prev.previousElementSibling) {
      if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
    }
    return "Table";
  }

  /* Two regions with one name are one landmark twice to a screen reader (axe: landmark-unique). */
  function uniqueName(label) {
    var name = label + " (scrolls)";
    for (var n = 2; document.querySelector('[data-scroll-focus][aria-label="' + CSS.escape(name) + '"]'); n++) {
      name = label + " " + n + " (scrolls)";
    }
    return name;
  }

  function mark(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", uniqueName(nameOf(box)));
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
