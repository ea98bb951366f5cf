/*
 * Keyboard shortcuts of the console pages (no library; loaded by each console template).
 *
 * The convention:
 *   - Any element with data-shortcut="KEY" is activated by pressing KEY (one character, as
 *     KeyboardEvent.key gives it: "r", "n", "/", "A" is Shift+a) when the focus is not in a
 *     text field and no modifier (Ctrl, Alt, Meta) is held: a link or button is clicked, an
 *     input, select or textarea is focused. Hidden or disabled elements are skipped; if several
 *     carry the same key, the first visible one wins.
 *   - data-shortcut-label="…" says what it does, translated on the server; without it the
 *     element's accessible name (aria-label, or its text) is used.
 *   - "?" opens the page's <dialog id="shortcut-help"> (templates/console/partials/
 *     shortcut_help.html, included by the page) and lists every [data-shortcut] of the page
 *     in it, after the keys the dialog already lists.
 *   - Keys in use: ? (this list), / (search), t (open the ticket due next) and, in a list
 *     marked data-queue-rows, j / k (next / previous row), Enter (open the row's
 *     [data-row-link], the browser's own), x (choose the row's checkbox). The ticket page:
 *     r (reply), n (internal note), c (canned response), a (assign to me), s (resolve).
 *   - Ctrl+Enter (or Cmd+Enter) in a text box of a form marked data-send-shortcut sends the
 *     form (the ticket page's reply and internal note): write, then send without leaving the
 *     keyboard's home row. The page lists it in its dialog.
 *   - Escape closes the dialog (the browser's own).
 */
(function () {
  "use strict";

  var TEXT_TYPES = /^(text|search|email|url|tel|password|number|date|datetime-local|month|time|week)$/;

  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && TEXT_TYPES.test(target.type || "text");
  }

  function visible(element) {
    return !element.disabled && !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function activate(element) {
    var tag = element.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
      element.focus();
      if (element.select && tag !== "SELECT" && element.type !== "checkbox") element.select();
    } else {
      element.click();
    }
  }

  function labelOf(element) {
    return (
      element.getAttribute("data-shortcut-label") ||
      element.getAttribute("aria-label") ||
      (element.labels && element.labels[0] && element.labels[0].textContent) ||
      element.textContent ||
      ""
    ).replace(/\s+/g, " ").trim();
  }

  function showHelp() {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var list = dialog.querySelector("[data-shortcut-list]");
    Array.prototype.forEach.call(list.querySelectorAll("[data-page-shortcut]"), function (old) {
      old.remove();
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-shortcut]"), function (element) {
      if (dialog.contains(element) || !visible(element)) return;
      var entry = document.createElement("div");
      entry.setAttribute("data-page-shortcut", "");
      var key = document.createElement("dt");
      var kbd = document.createElement("kbd");
      kbd.textContent = element.getAttribute("data-shortcut");
      key.appendChild(kbd);
      var what = document.createElement("dd");
      what.textContent = labelOf(element);
      entry.appendChild(key);
      entry.appendChild(what);
      list.appendChild(entry);
    });
    dialog.showModal();
  }

  // --- the queue's rows ---------------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-rows] [data-queue-row]"));
  }

  function currentRow(all) {
    var active = document.activeElement;
    for (var i = 0; i < all.length; i++) {
      if (all[i].contains(active)) return i;
    }
    return -1;
  }

  function moveRow(step) {
    var all = rows();
    if (!all.length) return false;
    var index = currentRow(all);
    var next = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    all.forEach(function (row) {
      row.classList.remove("is-current");
    });
    all[next].classList.add("is-current");
    var link = all[next].querySelector("[data-row-link]");
    if (link) {
      link.focus();
      link.scrollIntoView({ block: "nearest" });
    }
    return true;
  }

  function toggleRow() {
    var all = rows();
    var index = currentRow(all);
    if (index === -1) return false;
    var box = all[index].querySelector("input[type=checkbox]");
    if (box) box.click();
    return !!box;
  }

  function send(event) {
    var target = event.target;
    if (!target || target.tagName !== "TEXTAREA" || !target.closest) return false;
    var form = target.closest("form[data-send-shortcut]");
    if (!form) return false;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      if (send(event)) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) return;
    var key = event.key;
    var handled = false;
    if (key === "?") {
      showHelp();
      handled = true;
    } else if (key === "j") {
      handled = moveRow(1);
    } else if (key === "k") {
      handled = moveRow(-1);
    } else if (key === "x") {
      handled = toggleRow();
    }
    if (!handled && key.length === 1) {
      var targets = document.querySelectorAll("[data-shortcut]");
      for (var i = 0; i < targets.length; i++) {
        if (targets[i].getAttribute("data-shortcut") === key && visible(targets[i])) {
          activate(targets[i]);
          handled = true;
          break;
        }
      }
    }
    if (handled) event.preventDefault();
  });
})();
