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
