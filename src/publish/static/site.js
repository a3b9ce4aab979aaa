// willai: the index's search box and a profession page's "your own exposure". Plain
// JavaScript, no framework; nothing is sent anywhere, and every page is complete without
// it (the search box and the checkboxes only appear when this script runs).
(function () {
  "use strict";
  var norm = function (s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  };

  // Search: filters the listed professions by name; with the JSON index (served over
  // http), also by alias, O*NET-SOC code and field.
  var form = document.querySelector("form.search");
  if (form) {
    var input = form.querySelector("input");
    var found = document.getElementById("found");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".profs li"));
    var more = {};
    var filter = function () {
      var words = norm(input.value).split(/\s+/).filter(Boolean);
      var n = 0;
      rows.forEach(function (li) {
        var a = li.querySelector("a");
        var slug = a.getAttribute("href").split("/")[0];
        var hay = norm(a.textContent) + " " + (more[slug] || "");
        var hit = words.every(function (w) { return hay.indexOf(w) >= 0; });
        li.hidden = !hit;
        if (hit) { n += 1; }
      });
      document.querySelectorAll("section.group").forEach(function (g) {
        g.hidden = !g.querySelector("li:not([hidden])");
      });
      found.textContent = words.length
        ? n + (n === 1 ? " profession matches." : " professions match.")
        : "";
    };
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    input.addEventListener("input", filter);
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; filter(); }
    if (location.protocol !== "file:") {
      fetch(form.getAttribute("data-index"))
        .then(function (r) { return r.json(); })
        .then(function (index) {
          index.professions.forEach(function (p) {
            more[p.slug] = norm([p.name, p.onet_soc || "", p.group.name]
              .concat(p.aliases).join(" "));
          });
          if (input.value) { filter(); }
        })
        .catch(function () {});
    }
  }

  // Your own exposure: a checkbox per task; the share of the ticked tasks by level.
  var mine = document.getElementById("mine");
  var table = document.querySelector(".tasks table");
  if (mine && table) {
    var out = document.getElementById("mine-out");
    var bar = document.getElementById("mine-bar");
    var boxes = [];
    var update = function () {
      var c = { HIGH: 0, MEDIUM: 0, LOW: 0 };
      var n = 0;
      boxes.forEach(function (b) {
        if (b.checked) { c[b.getAttribute("data-level")] += 1; n += 1; }
      });
      var part = function (level) {
        return c[level] + " " + level + " (" + Math.round(100 * c[level] / n) + "%)";
      };
      out.textContent = n
        ? "Of the " + n + (n === 1 ? " task" : " tasks") + " you do: " +
          part("HIGH") + ", " + part("MEDIUM") + ", " + part("LOW") + "."
        : "No task ticked yet.";
      var r = bar.querySelectorAll("rect");
      bar.setAttribute("viewBox", "0 0 " + Math.max(n, 1) + " 1");
      r[0].setAttribute("width", c.HIGH);
      r[1].setAttribute("x", c.HIGH);
      r[1].setAttribute("width", c.MEDIUM);
      r[2].setAttribute("x", c.HIGH + c.MEDIUM);
      r[2].setAttribute("width", c.LOW);
      bar.querySelector("title").textContent = out.textContent;
    };
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var a = tr.querySelector("a");
      var level = tr.querySelector(".level");
      if (!a || !level) { return; }
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "mine-box";
      box.setAttribute("data-level", level.textContent.trim());
      box.setAttribute("aria-label", "I do this task: " + a.textContent);
      box.addEventListener("change", update);
      a.parentNode.insertBefore(box, a);
      boxes.push(box);
    });
    mine.hidden = false;
  }
})();
