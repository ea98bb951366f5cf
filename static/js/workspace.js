/* The console's ticket workspace: canned responses go into the reply where the cursor is, the
   presence poll (htmx, every few seconds) says whether this agent is typing a reply, and after
   an action the page comes back with the focus on the part it names (#conversation after a
   reply: the keyboard goes on from there, where the reply now is). */
(function () {
  "use strict";
  var TYPING_MS = 15000;
  var typingTimer = null;

  function insertCanned(event) {
    var form = event.target.closest(".canned-form");
    var data = document.getElementById("canned-bodies");
    if (!form || !data) return;
    var box = document.getElementById(form.dataset.replyBox);
    var bodies = JSON.parse(data.textContent);
    var chosen = form.querySelector("select").value;
    if (!box || !(chosen in bodies)) return;  // the server's way: the page comes back with it
    event.preventDefault();
    var start = box.selectionStart, end = box.selectionEnd, text = bodies[chosen];
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + text.length, start + text.length);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function typed(event) {
    if (!event.target.matches(".comment-form textarea")) return;
    var flag = document.getElementById("presence-typing");
    if (!flag) return;
    flag.value = "1";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { flag.value = "0"; }, TYPING_MS);
  }

  function focusArrival() {
    var main = document.querySelector("main");
    if (!main || !location.hash || main.querySelector(".form-errors")) return;  // forms.js has the errors
    if (document.activeElement && document.activeElement !== document.body) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target || !main.contains(target)) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", focusArrival);
  document.addEventListener("submit", function (event) {
    if (event.target.matches(".canned-form")) insertCanned(event);
  });
  document.addEventListener("input", typed);
})();
