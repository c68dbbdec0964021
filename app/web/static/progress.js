// The progress page (bars, flashcard review, the cram-plan form) and the hands-on task page. No inline script:
// the CSP forbids it. Server text is inserted with textContent only.
(function () {
  "use strict";

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function errorText(resp) {
    try {
      const body = await resp.json();
      if (typeof body.detail === "string") return body.detail;
      if (Array.isArray(body.detail) && body.detail.length) return body.detail[0].msg || "invalid input";
    } catch (_) {
      /* not JSON */
    }
    return "The server answered " + resp.status + ".";
  }

  // -- mastery bars: widths from data-value (inline styles are blocked by the CSP) ---------
  function drawBars() {
    document.querySelectorAll(".bar__fill[data-value]").forEach(function (fill) {
      const value = Math.max(0, Math.min(100, Number(fill.dataset.value) || 0));
      fill.style.width = value + "%";
    });
  }

  // -- mastery refresh (after a review) --------------------------------------------------
  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function renderMastery(data) {
    const summary = document.getElementById("due-summary");
    if (summary) summary.textContent = plural(data.due_cards, "flashcard") + " due for review.";
    data.sections.forEach(function (s) {
      const row = document.querySelector('#mastery-chart .bar-row[data-section="' + s.section + '"]');
      if (!row) return;
      const pct = Math.round(s.mastery * 100);
      row.className = "bar-row bar-row--" + s.status.replace(/ /g, "-");
      const fill = row.querySelector(".bar__fill");
      fill.dataset.value = String(pct);
      const meter = row.querySelector("[role=meter]");
      meter.setAttribute("aria-valuenow", String(pct));
      meter.setAttribute("aria-valuetext", pct + "% (" + s.status + ")");
      row.querySelector(".bar-row__value").textContent = pct + "%";
      row.querySelector(".bar-row__status").textContent =
        s.status + (s.due_cards ? " · " + s.due_cards + " due" : "");
    });
    drawBars();
  }

  async function refreshMastery() {
    const resp = await fetch("/api/progress/mastery", { headers: { Accept: "application/json" } });
    if (!resp.ok) throw new Error(await errorText(resp));
    renderMastery(await resp.json());
    if (window.MentorCharts) {
      const charts = await fetch("/api/progress/dashboard", { headers: { Accept: "application/json" } });
      if (!charts.ok) throw new Error(await errorText(charts));
      window.MentorCharts.dashboard(await charts.json());
    }
  }

  // -- flashcards: due cards first; when none are due, new ones on request ------------------
  // The back is plain text ("Key points:" + "- " lines + "Model answer: ..."): laid out here
  // as a list and paragraphs, every piece set with textContent.
  function renderBack(box, text) {
    box.replaceChildren();
    let list = null;
    String(text).split("\n").forEach(function (line) {
      const trimmed = line.trim();
      if (!trimmed) {
        list = null;
        return;
      }
      if (trimmed.indexOf("- ") === 0) {
        if (!list) list = box.appendChild(el("ul", "flashcard__points"));
        list.appendChild(el("li", null, trimmed.slice(2)));
        return;
      }
      list = null;
      const labelled = /^(Key points|Model answer):\s*(.*)$/.exec(trimmed);
      const p = el("p", labelled && !labelled[2] ? "flashcard__label" : null);
      if (labelled) {
        p.appendChild(el("strong", null, labelled[1] + (labelled[2] ? ": " : "")));
        if (labelled[2]) p.appendChild(document.createTextNode(labelled[2]));
      } else {
        p.textContent = trimmed;
      }
      box.appendChild(p);
    });
  }

  function setupFlashcards() {
    const root = document.getElementById("flashcards");
    if (!root) return;
    const $ = function (id) { return document.getElementById(id); };
    const status = $("cards-status");
    const error = $("cards-error");
    const empty = $("cards-empty");
    const newBtn = $("cards-new");
    const card = $("flashcard");
    const meta = $("flashcard-meta");
    const front = $("flashcard-front");
    const showBtn = $("flashcard-show");
    const back = $("flashcard-back");
    const rate = $("flashcard-rate");
    const rateButtons = Array.prototype.slice.call(rate.querySelectorAll("button[data-rating]"));
    let queue = [];
    let fresh = []; // new cards offered when nothing is due
    let kind = "due";
    let position = 0;
    let total = 0;

    function showError(message) {
      error.textContent = message;
      error.hidden = false;
    }

    function clearError() {
      error.hidden = true;
      error.textContent = "";
    }

    function showCard(focus) {
      const c = queue[0];
      empty.hidden = true;
      card.hidden = false;
      card.dataset.cardId = c.id;
      status.textContent = (kind === "due" ? "Due card " : "New card ") + position + " of " + total + ".";
      meta.textContent = "Section " + c.section + (c.imp ? " · IMP" : "") + (c.level ? " · " + c.level : "");
      front.textContent = c.front;
      back.hidden = true;
      back.replaceChildren();
      rate.hidden = true;
      showBtn.hidden = false;
      showBtn.setAttribute("aria-expanded", "false");
      rateButtons.forEach(function (b) { b.disabled = false; });
      if (focus) front.focus();
    }

    function showEmpty(focus) {
      card.hidden = true;
      delete card.dataset.cardId;
      empty.hidden = false;
      status.textContent = "No cards due.";
      newBtn.hidden = fresh.length === 0;
      newBtn.textContent = "Study " + plural(fresh.length, "new card");
      if (focus) (fresh.length ? newBtn : status).focus();
    }

    async function load(focus) {
      root.setAttribute("aria-busy", "true");
      try {
        const resp = await fetch("/api/cards/due?new=5", { headers: { Accept: "application/json" } });
        if (!resp.ok) throw new Error(await errorText(resp));
        const data = await resp.json();
        queue = data.due;
        fresh = data.new;
        kind = "due";
        position = 1;
        total = queue.length;
        clearError();
        if (queue.length) showCard(focus);
        else showEmpty(focus);
      } catch (err) {
        showError("Could not load your flashcards: " + (err.message || "network error"));
        status.textContent = "";
      } finally {
        root.removeAttribute("aria-busy");
      }
    }

    showBtn.addEventListener("click", function () {
      renderBack(back, queue[0].back);
      back.hidden = false;
      rate.hidden = false;
      showBtn.hidden = true;
      showBtn.setAttribute("aria-expanded", "true");
      back.focus();
    });

    newBtn.addEventListener("click", function () {
      queue = fresh.slice();
      fresh = [];
      kind = "new";
      position = 1;
      total = queue.length;
      clearError();
      if (queue.length) showCard(true);
    });

    rateButtons.forEach(function (button) {
      button.addEventListener("click", async function () {
        const c = queue[0];
        if (!c) return;
        rateButtons.forEach(function (b) { b.disabled = true; });
        clearError();
        try {
          const resp = await fetch("/api/cards/" + encodeURIComponent(c.id) + "/review", {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: JSON.stringify({ rating: button.dataset.rating }),
          });
          if (!resp.ok) throw new Error(await errorText(resp));
        } catch (err) {
          showError("Your rating was not saved: " + (err.message || "network error") + " Try again.");
          rateButtons.forEach(function (b) { b.disabled = false; });
          button.focus();
          return;
        }
        queue.shift();
        position += 1;
        if (queue.length) showCard(true);
        else await load(true); // anything else due by now? otherwise the empty state
        try {
          await refreshMastery();
        } catch (err) {
          showError("The review is saved, but the chart could not be refreshed: " + (err.message || "network error"));
        }
      });
    });

    load(false);
  }

  // -- the cram plan -------------------------------------------------------------------------
  function renderPlan(box, plan) {
    box.replaceChildren();
    box.appendChild(el("p", "plan-total", plan.total + " of " + plan.budget + " minutes planned."));
    const list = el("ol", "plan-items");
    let clock = 0;
    plan.items.forEach(function (item) {
      const li = el("li", "plan-item plan-item--" + item.kind);
      li.appendChild(el("span", "plan-item__time", clock + "–" + (clock + item.minutes) + " min"));
      li.appendChild(el("span", "plan-item__title", item.title));
      if (item.detail) li.appendChild(el("span", "plan-item__detail", item.detail));
      if (item.kind === "task" && item.refs && item.refs.length) {
        const link = el("a", "plan-item__link", "Open this task");
        link.href = "/tasks?task=" + encodeURIComponent(item.refs[0]);
        li.appendChild(link);
      }
      list.appendChild(li);
      clock += item.minutes;
    });
    box.appendChild(list);
  }

  function setupPlan() {
    const form = document.getElementById("plan-form");
    if (!form) return;
    const box = document.getElementById("plan");
    const error = document.getElementById("plan-error");
    const input = document.getElementById("plan-minutes");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      error.hidden = true;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      box.setAttribute("aria-busy", "true");
      try {
        const resp = await fetch("/api/plan?minutes=" + encodeURIComponent(input.value.trim()), {
          headers: { Accept: "application/json" },
        });
        if (!resp.ok) throw new Error(await errorText(resp));
        renderPlan(box, await resp.json());
      } catch (err) {
        error.textContent = err.message || "Could not make a plan.";
        error.hidden = false;
      } finally {
        button.disabled = false;
        box.removeAttribute("aria-busy");
      }
    });
  }

  // -- hands-on tasks ----------------------------------------------------------------------
  function showPrompt(picker, promptBox) {
    const option = picker.selectedOptions[0];
    promptBox.replaceChildren();
    if (!option) return;
    promptBox.appendChild(el("p", "task-prompt__text", option.dataset.prompt));
    const meta = "Section " + option.closest("optgroup").label.replace(/^Section /, "").split(":")[0] +
      " · " + option.dataset.kind.replace("_", " ") + " · about " + option.dataset.minutes + " min" +
      (option.dataset.imp === "true" ? " · IMP" : "");
    promptBox.appendChild(el("p", "task-prompt__meta", meta));
  }

  function renderFinding(f) {
    const li = el("li", "finding " + (f.passed ? "finding--ok" : "finding--" + (f.role === "lint" || f.role === "hint" ? "note" : "fail")));
    const mark = f.passed ? "Pass" : (f.role === "lint" || f.role === "hint" ? "Note" : "Missing or wrong");
    li.appendChild(el("span", "finding__mark", mark));
    const body = el("div", "finding__body");
    const msg = body.appendChild(el("p", "finding__msg"));
    if (f.line) {
      // a link to the line of the answer: editor.js jumps to it in the editor
      const jump = msg.appendChild(el("a", "finding__line", "Line " + f.line));
      jump.href = "#task-answer";
      jump.dataset.line = String(f.line);
      msg.appendChild(document.createTextNode(": "));
    }
    msg.appendChild(document.createTextNode(f.message));
    if (f.detail) body.appendChild(el("p", "finding__detail", f.detail));
    if (f.cite) {
      const cite = el("p", "finding__cite");
      let where = "Section " + f.cite.section;
      if (f.cite.heading) where += ", " + f.cite.heading;
      if (f.cite.line) where += " (line " + f.cite.line + ")";
      const link = el("a", null, where);
      link.href = "/sections/" + f.cite.section;
      cite.appendChild(document.createTextNode("See "));
      cite.appendChild(link);
      if (f.cite.quote) cite.appendChild(document.createTextNode(": “" + f.cite.quote + "”"));
      body.appendChild(cite);
    }
    li.appendChild(body);
    return li;
  }

  function renderReport(report) {
    // editor.js pins the findings to their lines
    document.getElementById("task-form").dispatchEvent(new CustomEvent("task-report", { detail: report }));
    const box = document.getElementById("task-result");
    const verdict = document.getElementById("task-verdict");
    const list = document.getElementById("task-findings");
    list.replaceChildren();
    box.hidden = false;
    box.dataset.ok = report.ok ? "true" : "false";
    if (report.problem) {
      verdict.className = "verdict verdict--problem";
      verdict.textContent = "Cannot check this answer: " + report.problem;
      return;
    }
    const total = report.passed + report.failed;
    verdict.className = "verdict " + (report.ok ? "verdict--pass" : "verdict--fail");
    verdict.textContent = (report.ok ? "Pass" : "Not yet") + " — " + report.passed + "/" + total + " checks passed";
    // failures first, then notes, then passes
    const order = function (f) { return f.passed ? 2 : (f.role === "lint" || f.role === "hint" ? 1 : 0); };
    report.findings.slice().sort(function (a, b) { return order(a) - order(b); }).forEach(function (f) {
      list.appendChild(renderFinding(f));
    });
  }

  function setupTasks() {
    const form = document.getElementById("task-form");
    if (!form) return;
    const picker = document.getElementById("task-picker");
    const promptBox = document.getElementById("task-prompt");
    const answer = document.getElementById("task-answer");
    const count = document.getElementById("task-count");
    const max = Number(form.dataset.maxChars) || 20000;
    const wanted = new URLSearchParams(location.search).get("task");
    if (wanted && picker.querySelector('option[value="' + CSS.escape(wanted) + '"]')) picker.value = wanted;
    showPrompt(picker, promptBox);
    picker.addEventListener("change", function () {
      showPrompt(picker, promptBox);
      document.getElementById("task-result").hidden = true;
    });
    const updateCount = function () { count.textContent = answer.value.length + " / " + max + " characters"; };
    answer.addEventListener("input", updateCount);
    updateCount();
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      if (!answer.value.trim()) {
        renderReport({ problem: "the answer is empty: paste your answer to the task.", findings: [] });
        answer.focus();
        return;
      }
      const button = document.getElementById("task-check");
      button.disabled = true;
      try {
        const resp = await fetch("/api/tasks/" + encodeURIComponent(picker.value) + "/check", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ answer: answer.value }),
        });
        if (!resp.ok) {
          renderReport({ problem: await errorText(resp), findings: [] });
          return;
        }
        renderReport(await resp.json());
      } catch (err) {
        renderReport({ problem: "the check did not finish (" + (err.message || "network error") + ")", findings: [] });
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawBars();
    setupFlashcards();
    setupPlan();
    setupTasks();
  });
})();
