// The study charts, drawn with the vendored Chart.js (static/vendor/, no CDN). Each chart reads
// without colour: lines differ by dash and point shape, bars by hatching, and values are
// printed on the bars. Each one also gets a text alternative built from the same numbers: a
// one-sentence summary (the canvas's accessible name and the figure's caption) and a table.
// The numbers come from GET /api/progress/dashboard (embedded in the progress page as
// data-dashboard) and, for the interview scorecard, from the card's own rows.
// Rule, as in chat.js: text is only ever set with textContent.
(function () {
  "use strict";

  var drawn = []; // {chart, redraw}: redrawn when the theme changes
  var POINTS = ["triangle", "rect", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var DASHES = [[2, 3], [8, 4], [1, 2], [10, 3, 2, 3], [4, 4], [12, 2], [6, 2, 2, 2]];

  function ready() { return typeof window.Chart === "function"; }

  // CSS custom properties hold light-dark(...) pairs: resolve them through a probe element
  function colour(name) {
    var probe = document.createElement("span");
    probe.hidden = true;
    document.body.appendChild(probe);
    probe.style.color = "var(" + name + ")";
    var value = getComputedStyle(probe).color;
    probe.remove();
    return value;
  }

  function theme() {
    return {
      text: colour("--text"),
      muted: colour("--muted"),
      grid: colour("--border"),
      accent: colour("--accent"),
      ok: colour("--ok"),
      warn: colour("--warn"),
      bad: colour("--bad"),
      panel: colour("--panel"),
    };
  }

  // diagonal stripes: a fill that differs from a solid one without colour
  function hatch(stroke, background) {
    var c = document.createElement("canvas");
    c.width = c.height = 8;
    var ctx = c.getContext("2d");
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(-2, 10); ctx.lineTo(10, -2);
    ctx.moveTo(-2, 2); ctx.lineTo(2, -2);
    ctx.moveTo(6, 10); ctx.lineTo(10, 6);
    ctx.stroke();
    return ctx.createPattern(c, "repeat");
  }

  // the value on every bar that has one (the numbers, not only the heights)
  var valueLabels = {
    id: "mentorValues",
    afterDatasetsDraw: function (chart, _args, opts) {
      if (!opts || !opts.enabled) return;
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = opts.color;
      ctx.font = "600 12px " + getComputedStyle(document.body).fontFamily;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach(function (bar, j) {
          var v = ds.data[j];
          if (v === null || v === undefined || (opts.skipZero && v === 0)) return;
          ctx.fillText(String(v), bar.x, bar.y - 2);
        });
      });
      ctx.restore();
    },
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function table(id, caption, head, rows) {
    var t = el("table", "chart__table");
    t.id = id;
    t.appendChild(el("caption", null, caption));
    var tr = el("tr");
    head.forEach(function (h) { var th = el("th", null, h); th.scope = "col"; tr.appendChild(th); });
    t.appendChild(el("thead")).appendChild(tr);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (cell, i) {
        var c = el(i === 0 ? "th" : "td", null, String(cell));
        if (i === 0) c.scope = "row";
        row.appendChild(c);
      });
      body.appendChild(row);
    });
    return t;
  }

  // (re)build one figure: canvas named by the summary, described by the table
  function mount(figure, summary, tables, build) {
    var host = figure.querySelector(".chart__canvas");
    var caption = figure.querySelector(".chart__summary");
    drawn = drawn.filter(function (d) {
      if (d.figure !== figure) return true;
      d.chart.destroy();
      return false;
    });
    host.textContent = "";
    var old = figure.querySelector(".chart__data");
    if (old) old.remove();
    if (caption) caption.textContent = summary;
    var details = el("details", "chart__data");
    details.appendChild(el("summary", null, "The numbers"));
    tables.forEach(function (t) { details.appendChild(t); });
    figure.appendChild(details);
    draw(figure, summary, tables.map(function (t) { return t.id; }).join(" "), build);
  }

  // the canvas, named by the summary and described by the table(s), and its chart
  function draw(figure, summary, describedBy, build) {
    var canvas = el("canvas", null, summary);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", summary);
    if (describedBy) canvas.setAttribute("aria-describedby", describedBy);
    figure.querySelector(".chart__canvas").appendChild(canvas);
    if (!ready()) return;
    var entry = { figure: figure, chart: null };
    entry.redraw = function () {
      if (entry.chart) entry.chart.destroy();
      entry.chart = new window.Chart(canvas, build(theme()));
    };
    entry.redraw();
    drawn.push(entry);
  }

  function base(t) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { labels: { color: t.text, usePointStyle: true } },
        tooltip: { enabled: true },
        mentorValues: { enabled: false },
      },
    };
  }

  function pct(v) { return Math.round(v * 100); }

  function day(iso, short) {
    var d = new Date(iso + (iso.length === 10 ? "T00:00:00Z" : ""));
    var opts = short ? { day: "numeric", month: "short", timeZone: "UTC" }
      : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
    return d.toLocaleDateString("en-GB", opts);
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function fmt(v) { return (Math.round(v * 10) / 10).toString(); }

  // -- mastery per section: a radar, (IMP) recall as a second, dashed outline ---------------
  function drawMastery(figure, sections) {
    var started = sections.filter(function (s) { return s.items > 0; });
    var best = started.slice().sort(function (a, b) { return b.mastery - a.mastery; })[0];
    var summary = plural(started.length, "section") + " of " + sections.length + " started";
    if (best) {
      summary += "; strongest: Section " + best.section + " (" + best.title + ") at " + pct(best.mastery) +
        "% mastery, " + pct(best.imp_recall) + "% of its (IMP) questions recalled";
    }
    summary += ".";
    var rows = sections.map(function (s) {
      return ["Section " + s.section + ": " + s.title, pct(s.mastery) + "%", s.level,
        pct(s.imp_recall) + "% of " + s.imp_questions];
    });
    var tbl = table(figure.id + "-table", "Mastery per section",
      ["Section", "Mastery", "Level", "(IMP) questions recalled"], rows);
    mount(figure, summary, [tbl], function (t) {
      var cfg = base(t);
      cfg.plugins.legend.position = "bottom";
      return {
        type: "radar",
        data: {
          labels: sections.map(function (s) { return String(s.section); }),
          datasets: [
            {
              label: "Mastery %",
              data: sections.map(function (s) { return pct(s.mastery); }),
              borderColor: t.accent,
              backgroundColor: "transparent",
              borderWidth: 3,
              pointStyle: "circle",
              pointRadius: 4,
              pointBackgroundColor: t.accent,
              fill: false,
            },
            {
              label: "(IMP) questions recalled %",
              data: sections.map(function (s) { return pct(s.imp_recall); }),
              borderColor: t.warn,
              borderDash: [6, 4],
              borderWidth: 2,
              pointStyle: "triangle",
              pointRadius: 5,
              pointBackgroundColor: t.warn,
              fill: false,
            },
          ],
        },
        options: Object.assign(cfg, {
          scales: {
            r: {
              min: 0,
              max: 100,
              ticks: { stepSize: 25, color: t.muted, backdropColor: t.panel, showLabelBackdrop: true },
              grid: { color: t.grid },
              angleLines: { color: t.grid },
              pointLabels: { color: t.text, font: { weight: "600" } },
            },
          },
        }),
      };
    });
  }

  // -- interview scores: per session, per section, and the trend ---------------------------
  function drawInterviews(figure, history) {
    var sessions = history.sessions;
    if (!sessions.length) return;
    var labels = sessions.map(function (s) { return "#" + s.session + " · " + day(s.at, true); });
    var last = sessions[sessions.length - 1];
    var summary = plural(sessions.length, "mock interview") + "; latest average " + fmt(last.score) + "/10";
    var slope = history.trend;
    if (slope !== null && slope !== undefined) {
      var word = slope > 0.05 ? "rising" : slope < -0.05 ? "falling" : "flat";
      summary += "; trend " + word + " (" + (slope > 0 ? "+" : "") + fmt(slope) + " points per session)";
    }
    summary += ".";
    var sessionRows = sessions.map(function (s) {
      return ["#" + s.session, day(s.at), s.sections.map(function (n) { return "§" + n; }).join(", "),
        s.questions, fmt(s.score) + "/10"];
    });
    var t1 = table(figure.id + "-sessions", "Average score per session",
      ["Session", "Date", "Sections", "Questions", "Average"], sessionRows);
    var t2 = table(figure.id + "-sections", "Score per section, by session", ["Section", "Scores (session: score)"],
      history.by_section.map(function (s) {
        return ["Section " + s.section + ": " + s.title,
          s.points.map(function (p) { return "#" + p.session + ": " + fmt(p.score); }).join(", ")];
      }));
    mount(figure, summary, [t1, t2], function (t) {
      var datasets = [{
        label: "Session average",
        data: sessions.map(function (s) { return s.score; }),
        borderColor: t.accent,
        backgroundColor: t.accent,
        borderWidth: 3,
        pointStyle: "circle",
        pointRadius: 5,
      }];
      if (slope !== null && slope !== undefined) {
        var n = sessions.length;
        var mean = sessions.reduce(function (a, s) { return a + s.score; }, 0) / n;
        var mid = (n - 1) / 2;
        datasets.push({
          label: "Trend",
          data: sessions.map(function (_s, i) { return Math.round((mean + slope * (i - mid)) * 100) / 100; }),
          borderColor: t.muted,
          borderDash: [8, 5],
          borderWidth: 2,
          pointRadius: 0,
          pointStyle: "line",
        });
      }
      var many = history.by_section.length > 4;
      history.by_section.forEach(function (s, k) {
        var bySession = {};
        s.points.forEach(function (p) { bySession[p.session] = p.score; });
        datasets.push({
          label: "§" + s.section + " " + s.title,
          data: sessions.map(function (x) { return x.session in bySession ? bySession[x.session] : null; }),
          spanGaps: true,
          hidden: many,
          borderColor: t.text,
          backgroundColor: t.panel,
          borderWidth: 1.5,
          borderDash: DASHES[k % DASHES.length],
          pointStyle: POINTS[k % POINTS.length],
          pointRadius: 5,
        });
      });
      var cfg = base(t);
      cfg.plugins.legend.position = "bottom";
      return {
        type: "line",
        data: { labels: labels, datasets: datasets },
        options: Object.assign(cfg, {
          scales: {
            y: { min: 0, max: 10, ticks: { color: t.muted, stepSize: 2 }, grid: { color: t.grid },
              title: { display: true, text: "score /10", color: t.muted } },
            x: { ticks: { color: t.muted }, grid: { color: t.grid } },
          },
        }),
      };
    });
  }

  // -- flashcards: reviews done (last 14 days) and due (next 14 days) -----------------------
  function drawCards(figure, cards) {
    var today = cards.due[0].date;
    var past = cards.reviews.map(function (d) { return d.date; });
    var dates = past.concat(cards.due.slice(1).map(function (d) { return d.date; }));
    var done = {}; cards.reviews.forEach(function (d) { done[d.date] = d.cards; });
    var due = {}; cards.due.forEach(function (d) { due[d.date] = d.cards; });
    var summary = plural(cards.reviews_total, "flashcard review") + " in the last 14 days; " +
      plural(cards.due_total, "card") + " due in the next 14 days, " + (due[today] || 0) + " of them today.";
    var rows = dates.filter(function (d) { return (done[d] || 0) + (due[d] || 0) > 0 || d === today; })
      .map(function (d) {
        return [d === today ? "Today, " + day(d) : day(d), d in done ? done[d] : "—", d in due ? due[d] : "—"];
      });
    var tbl = table(figure.id + "-table", "Flashcards per day (days with none left out)",
      ["Day", "Reviews done", "Due"], rows);
    mount(figure, summary, [tbl], function (t) {
      var cfg = base(t);
      cfg.plugins.mentorValues = { enabled: true, color: t.text, skipZero: true };
      cfg.plugins.legend.position = "bottom";
      cfg.layout = { padding: { top: 18 } };
      return {
        type: "bar",
        data: {
          labels: dates.map(function (d) { return d === today ? "today" : day(d, true); }),
          datasets: [
            {
              label: "Reviews done",
              data: dates.map(function (d) { return d in done ? done[d] : null; }),
              backgroundColor: t.ok,
              borderColor: t.ok,
              borderWidth: 1,
            },
            {
              label: "Due (hatched)",
              data: dates.map(function (d) { return d in due ? due[d] : null; }),
              backgroundColor: hatch(t.accent, t.panel),
              borderColor: t.accent,
              borderWidth: 2,
            },
          ],
        },
        options: Object.assign(cfg, {
          scales: {
            y: { beginAtZero: true, ticks: { color: t.muted, precision: 0 }, grid: { color: t.grid },
              title: { display: true, text: "cards", color: t.muted } },
            x: { ticks: { color: t.muted, autoSkip: true, maxRotation: 60 }, grid: { display: false } },
          },
        }),
        plugins: [valueLabels],
      };
    });
  }

  function dashboard(data) {
    var figures = {
      mastery: document.getElementById("chart-mastery"),
      interviews: document.getElementById("chart-interviews"),
      cards: document.getElementById("chart-cards"),
    };
    var studied = data.events > 0;
    if (figures.mastery) {
      figures.mastery.hidden = !studied;
      var note = document.getElementById("mastery-empty");
      if (note) note.hidden = studied;
      var list = document.getElementById("mastery-chart");
      if (list) list.hidden = !studied;
      if (studied) drawMastery(figures.mastery, data.mastery);
    }
    if (figures.interviews && data.interviews.sessions.length) {
      figures.interviews.hidden = false;
      var inote = document.getElementById("interviews-empty");
      if (inote) inote.hidden = true;
      drawInterviews(figures.interviews, data.interviews);
    }
    if (figures.cards && (data.cards.due_total || data.cards.reviews_total)) {
      figures.cards.hidden = false;
      var cnote = document.getElementById("calendar-empty");
      if (cnote) cnote.hidden = true;
      drawCards(figures.cards, data.cards);
    }
  }

  // -- the interview scorecard: score per question beside its table --------------------------
  function scorecards(root) {
    root.querySelectorAll(".chart--scores[data-scores]").forEach(function (figure) {
      if (figure.dataset.drawn) return;
      figure.dataset.drawn = "1";
      var data;
      try { data = JSON.parse(figure.dataset.scores); } catch (e) { return; }
      var card = figure.closest(".card--scorecard");
      var tbl = card ? card.querySelector("table.scores") : null;
      var summary = "Score per question: " + data.rows.map(function (r) {
        return "question " + r.number + " " + fmt(r.score) + "/10" + (r.status === "skipped" ? " (skipped)" : "");
      }).join(", ") + ".";
      if (tbl && !tbl.id) tbl.id = "scores-" + Math.random().toString(36).slice(2, 10);
      draw(figure, summary, tbl ? tbl.id : "", function (t) {
        var cfg = base(t);
        cfg.plugins.legend.display = false;
        cfg.plugins.mentorValues = { enabled: true, color: t.text, skipZero: false };
        cfg.layout = { padding: { top: 18 } };
        return {
          type: "bar",
          data: {
            labels: data.rows.map(function (r) { return "Q" + r.number; }),
            datasets: [{
              label: "Score /10",
              data: data.rows.map(function (r) { return r.score; }),
              // answered bars are solid, skipped and "didn't know" ones hatched
              backgroundColor: data.rows.map(function (r) {
                return r.status === "answered" ? t.accent : hatch(t.muted, t.panel);
              }),
              borderColor: data.rows.map(function (r) { return r.status === "answered" ? t.accent : t.muted; }),
              borderWidth: 2,
            }],
          },
          options: Object.assign(cfg, {
            scales: {
              y: { min: 0, max: 10, ticks: { color: t.muted, stepSize: 2 }, grid: { color: t.grid } },
              x: { ticks: { color: t.muted }, grid: { display: false } },
            },
          }),
          plugins: [valueLabels],
        };
      });
    });
  }

  document.addEventListener("mentor:theme", function () {
    drawn.forEach(function (d) { if (d.figure.isConnected) d.redraw(); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("dashboard");
    if (root && root.dataset.dashboard) {
      dashboard(JSON.parse(root.dataset.dashboard));
    }
    scorecards(document);
  });

  window.MentorCharts = { dashboard: dashboard, scorecards: scorecards };
})();
