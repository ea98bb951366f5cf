// Two small enhancements of the desk's forms; every form works without them.
// 1. After a refused submit the page comes back with an error box (.form-errors): focus moves
//    to the first one, so a screen-reader or keyboard user starts at the list of problems.
// 2. A file field inside [data-dropzone] also takes files dropped onto its box.
(function () {
  "use strict";
  function focusErrors() {
    var box = document.querySelector("main .form-errors");
    if (!box) { return; }
    if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "-1"); }
    box.focus();
  }
  function dropzones() {
    document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      if (!input) { return; }
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dragging");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          var files = new DataTransfer();
          Array.prototype.forEach.call(input.files, function (file) { files.items.add(file); });
          Array.prototype.forEach.call(event.dataTransfer.files, function (file) { files.items.add(file); });
          input.files = files.files;
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    dropzones();
  });
})();
