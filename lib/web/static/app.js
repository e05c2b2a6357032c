// OpenChargeback web: the dark-mode toggle and drag-and-drop upload. No
// build step, no inline script (the CSP forbids it); pages work without it.
(function () {
  "use strict";
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("ocb-theme"); } catch (e) {}
  if (saved === "dark" || saved === "light") root.setAttribute("data-theme", saved);

  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // cellValue reads a cell as a number when it is one ("−$1,234.50",
  // "83.0%", "12,345"), else as lower-case text.
  function cellValue(td) {
    var t = (td ? td.textContent : "").trim();
    var n = t.replace(/\u2212/g, "-").replace(/[^0-9.\-]/g, "");
    if (n !== "" && n !== "-" && n !== "." && /[0-9]/.test(t) && /^[^A-Za-z]*[0-9]/.test(t.replace(/^[A-Z]{3} /, ""))) {
      var v = parseFloat(n);
      if (!isNaN(v)) return v;
    }
    return t.toLowerCase();
  }

  function makeSortable(table) {
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!head || !body || body.rows.length < 2) return;
    var ths = head.rows[0].cells;
    for (var c = 0; c < ths.length; c++) {
      (function (col, th) {
        if (th.querySelector("a, button, input")) return;
        var b = document.createElement("button");
        b.type = "button";
        b.className = "sort";
        while (th.firstChild) b.appendChild(th.firstChild);
        th.appendChild(b);
        th.setAttribute("aria-sort", "none");
        b.addEventListener("click", function () {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          for (var i = 0; i < ths.length; i++) if (ths[i].hasAttribute("aria-sort")) ths[i].setAttribute("aria-sort", "none");
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (x, y) {
            var a = cellValue(x.cells[col]), z = cellValue(y.cells[col]);
            var r = (typeof a === "number" && typeof z === "number") ? a - z : String(a).localeCompare(String(z));
            return asc ? r : -r;
          });
          for (var i = 0; i < rows.length; i++) body.appendChild(rows[i]);
        });
      })(c, ths[c]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var btn = document.getElementById("theme-toggle");
    if (btn) {
      btn.setAttribute("aria-pressed", isDark() ? "true" : "false");
      btn.addEventListener("click", function () {
        var next = isDark() ? "light" : "dark";
        root.setAttribute("data-theme", next);
        btn.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
        try { localStorage.setItem("ocb-theme", next); } catch (e) {}
      });
    }

    // The navigation folds into a "Menu" on narrow screens and is always
    // open on wide ones (without JS the menu simply starts folded).
    var menu = document.getElementById("menu");
    if (menu && window.matchMedia) {
      var wide = window.matchMedia("(min-width: 48rem)");
      var sync = function () { menu.open = wide.matches; };
      sync();
      if (wide.addEventListener) wide.addEventListener("change", sync);
    }

    // Tables with class "sortable": each column header becomes a button
    // that sorts the body rows (numbers and amounts by value), with aria-sort.
    var tables = document.querySelectorAll("table.sortable");
    for (var t = 0; t < tables.length; t++) makeSortable(tables[t]);

    // "Select all" checkbox of the review queue.
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        var boxes = document.querySelectorAll("input[name=id]");
        for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
      });
    }

    // Drag-and-drop onto the import drop zone fills the file input; the form
    // is then submitted normally, so the server sees the same request either way.
    var zone = document.getElementById("drop-zone");
    var input = document.getElementById("files");
    if (zone && input) {
      ["dragenter", "dragover"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          var list = document.getElementById("drop-list");
          if (list) {
            var names = [];
            for (var i = 0; i < input.files.length; i++) names.push(input.files[i].name);
            list.textContent = names.join(", ");
          }
        }
      });
    }
  });
})();

// A mailing running in the background: reload the statements page every
// two seconds while its progress says so. Not a meta refresh: axe (and
// WCAG 2.2.1) count a timed refresh as a barrier; this one stops by itself
// when the mailing ends. After DOMContentLoaded: the script is in <head>.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var p = document.getElementById("mail-progress");
  if (p && p.getAttribute("data-running")) {
    setTimeout(function () { location.reload(); }, 2000);
  }
});
