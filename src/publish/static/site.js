// willai: the index's search box, a profession page's sortable task table and "your own
// exposure". Plain JavaScript, no framework; nothing is sent anywhere, and every page is
// complete without it (the search box, the sort buttons and the checkboxes only appear
// when this script runs).
(function () {
  "use strict";
  var norm = function (s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  };
  var el = function (tag, text) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    return e;
  };
  // One rounding for every share the site prints: half up.
  var percent = function (part, whole) {
    return whole ? Math.floor((200 * part + whole) / (2 * whole)) : 0;
  };

  // Search: professions by name, alias, O*NET-SOC code and field, and tasks by title.
  // The index of names and tasks (search.json) is fetched the first time a reader
  // searches, never on a visit that does not; from a file (or if it cannot be read)
  // the names listed on the page are searched.
  var form = document.querySelector("form.search");
  if (form) {
    var input = form.querySelector("input");
    var found = document.getElementById("found");
    var results = document.getElementById("results");
    var browse = document.getElementById("browse");
    var index = null;
    var loading = null;
    var fromPage = function () {
      var seen = {};
      var professions = [];
      document.querySelectorAll(".profs li > a").forEach(function (a) {
        var slug = a.getAttribute("href").split("/")[0];
        if (!seen[slug]) {
          seen[slug] = true;
          professions.push([slug, a.textContent, "", "", ""]);
        }
      });
      return { professions: professions, tasks: [] };
    };
    var load = function () {
      if (index || loading) { return loading; }
      if (location.protocol === "file:") {
        index = fromPage();
        return null;
      }
      loading = fetch(form.getAttribute("data-index"))
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { index = data; })
        .catch(function () { index = fromPage(); })
        .then(function () { loading = null; run(); });
      return loading;
    };
    var LIMIT = 50;
    var run = function () {
      var words = norm(input.value).split(/\s+/).filter(Boolean);
      var searching = words.length > 0;
      browse.hidden = searching;
      results.hidden = !searching;
      results.textContent = "";
      if (!searching) { found.textContent = ""; return; }
      if (!index) { found.textContent = "Searching\u2026"; load(); return; }
      var has = function (hay) {
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      };
      var hits = [];
      index.professions.forEach(function (p) {
        var name = norm(p[1]);
        var aliases = p[2] ? p[2].split("|") : [];
        var score = -1;
        var why = "";
        if (has(name)) {
          score = name.indexOf(words[0]) === 0 ? 0 : 1;
        } else {
          var alias = aliases.filter(function (a) { return has(norm(a)); })[0];
          if (alias) { score = 2; why = "also called \u201c" + alias + "\u201d"; }
          else if (has(name + " " + norm(aliases.join(" ")) + " " + norm(p[3]) + " " + norm(p[4]))) {
            score = 3;
            why = p[3] ? "O*NET-SOC " + p[3] + ", " + p[4] : p[4];
          }
        }
        if (score >= 0) { hits.push([score, p, why]); }
      });
      hits.sort(function (a, b) {
        return a[0] - b[0] || (a[1][1] < b[1][1] ? -1 : a[1][1] > b[1][1] ? 1 : 0);
      });
      var tasks = index.tasks.filter(function (t) { return has(norm(t[2])); });
      hits.slice(0, LIMIT).forEach(function (h) {
        var li = el("li");
        var a = el("a", h[1][1]);
        a.href = h[1][0] + "/index.html";
        li.appendChild(a);
        if (h[2]) { li.appendChild(el("small", h[2])); }
        results.appendChild(li);
      });
      tasks.slice(0, LIMIT).forEach(function (t) {
        var p = index.professions[t[0]];
        var li = el("li");
        var a = el("a", t[2]);
        a.href = p[0] + "/index.html#t-" + t[1];
        li.appendChild(a);
        li.appendChild(el("small", "a task of " + p[1]));
        results.appendChild(li);
      });
      var count = function (n, one, many) { return n + " " + (n === 1 ? one : many); };
      var said = count(hits.length, "profession", "professions");
      if (index.tasks.length) { said += " and " + count(tasks.length, "task", "tasks"); }
      said += (hits.length + tasks.length === 1 ? " matches" : " match");
      if (hits.length > LIMIT || tasks.length > LIMIT) { said += " (the first " + LIMIT + " of each shown: add a word)"; }
      found.textContent = said + ".";
    };
    form.hidden = false;
    input.addEventListener("focus", load);
    input.addEventListener("input", run);
    // Enter (or the button) keeps the query in the address, to share or come back to.
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var url = new URL(location.href);
      if (input.value.trim()) { url.searchParams.set("q", input.value.trim()); }
      else { url.searchParams.delete("q"); }
      history.replaceState(null, "", url.toString());
      run();
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; load(); run(); }
  }

  // The task table: sort by task or by exposure (and back to the page's order).
  var table = document.querySelector(".tasks table.full");
  if (table && table.tBodies[0].rows.length > 1) {
    var body = table.tBodies[0];
    var rank = { HIGH: 0, MEDIUM: 1, LOW: 2 };
    var keys = [
      function (tr) { return tr.cells[0].textContent.trim().toLowerCase(); },
      function (tr) { return rank[tr.cells[1].textContent.trim()]; }
    ];
    var heads = table.tHead.rows[0].cells;
    [0, 1].forEach(function (col) {
      var th = heads[col];
      var button = el("button", th.textContent);
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var now = th.getAttribute("aria-sort");
        // none -> ascending -> descending -> the page's order.
        var next = now === "ascending" ? "descending" : now === "descending" ? null : "ascending";
        [].forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        if (next) { th.setAttribute("aria-sort", next); }
        var rows = [].slice.call(body.rows);
        rows.sort(function (a, b) {
          var n = +a.getAttribute("data-n") - +b.getAttribute("data-n");
          if (!next) { return n; }
          var x = keys[col](a), y = keys[col](b);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return (next === "ascending" ? c : -c) || n;
        });
        rows.forEach(function (tr) { body.appendChild(tr); });
      });
    });
  }

  // Your own exposure: a checkbox per task; the split of the ticked tasks beside the
  // profession's, kept in view at the foot of the screen, remembered in this browser
  // only (localStorage: nothing leaves the page).
  var mine = document.getElementById("mine");
  if (mine && table) {
    var out = document.getElementById("mine-out");
    var bar = document.getElementById("mine-bar");
    var clear = document.getElementById("mine-clear");
    var key = "willai:mine:" + location.pathname;
    var hint = out.textContent;
    var boxes = [];
    var store = {
      get: function () {
        try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
      },
      set: function (v) {
        try {
          if (v.length) { localStorage.setItem(key, JSON.stringify(v)); } else { localStorage.removeItem(key); }
        } catch (e) { /* private browsing: ticks last for this visit only */ }
      }
    };
    var update = function () {
      var c = { HIGH: 0, MEDIUM: 0, LOW: 0 };
      var n = 0;
      var ticked = [];
      boxes.forEach(function (b) {
        if (b.checked) {
          c[b.getAttribute("data-level")] += 1;
          n += 1;
          ticked.push(+b.getAttribute("data-n"));
        }
      });
      store.set(ticked);
      var h = percent(c.HIGH, n), hm = percent(c.HIGH + c.MEDIUM, n);
      out.textContent = n
        ? "Your " + n + (n === 1 ? " task: " : " tasks: ") + c.HIGH + " HIGH (" + h + "%), " +
          c.MEDIUM + " MEDIUM (" + (hm - h) + "%), " + c.LOW + " LOW (" + (100 - hm) + "%). " +
          mine.getAttribute("data-of")
        : hint;
      var r = bar.querySelectorAll("rect");
      bar.setAttribute("viewBox", "0 0 " + Math.max(n, 1) + " 1");
      r[0].setAttribute("width", c.HIGH);
      r[1].setAttribute("x", c.HIGH);
      r[1].setAttribute("width", c.MEDIUM);
      r[2].setAttribute("x", c.HIGH + c.MEDIUM);
      r[2].setAttribute("width", c.LOW);
      clear.hidden = !n;
      bar.style.display = n ? "" : "none";
    };
    var saved = store.get();
    [].forEach.call(table.tBodies[0].rows, function (tr) {
      var level = tr.querySelector(".level");
      var title = tr.cells[0].querySelector("a, .title");
      if (!level || !title) { return; }
      var box = el("input");
      box.type = "checkbox";
      box.className = "mine-box";
      box.setAttribute("data-level", level.textContent.trim());
      box.setAttribute("data-n", tr.getAttribute("data-n"));
      box.setAttribute("aria-label", "I do this task: " + title.textContent);
      box.checked = saved.indexOf(+tr.getAttribute("data-n")) >= 0;
      box.addEventListener("change", update);
      tr.cells[0].insertBefore(box, tr.cells[0].firstChild);
      boxes.push(box);
    });
    clear.addEventListener("click", function () {
      boxes.forEach(function (b) { b.checked = false; });
      update();
    });
    mine.hidden = false;
    update();
  }
})();
