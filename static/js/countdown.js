// Keeps every <time class="countdown" datetime="…" data-future="in {}" data-past="{} overdue">
// current as time passes: the span as the two largest of days, hours and minutes that are not
// zero, in the page's language (Intl), as the server first wrote it (ticket_tags.remaining).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var units = [["day", 1440], ["hour", 60], ["minute", 1]];
  var number = {};
  units.forEach(function (unit) {
    number[unit[0]] = new Intl.NumberFormat(lang, { style: "unit", unit: unit[0], unitDisplay: "long" });
  });
  var list = new Intl.ListFormat(lang, { style: "short", type: "unit" });

  function words(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var parts = [];
    units.forEach(function (unit) {
      var count = Math.floor(minutes / unit[1]);
      minutes -= count * unit[1];
      if (count) parts.push(number[unit[0]].format(count));
    });
    parts = parts.slice(0, 2);
    return parts.length ? list.format(parts) : number.minute.format(0);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[datetime]").forEach(function (element) {
      var left = (Date.parse(element.getAttribute("datetime")) - now) / 1000;
      if (isNaN(left)) return;
      var sentence = left >= 0 ? element.dataset.future : element.dataset.past;
      if (!sentence) return;
      element.textContent = sentence.replace("{}", words(left));
      element.classList.toggle("overdue", left < 0);
    });
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 30000);
})();
