// The chat page. Plain script, no build step, no inline code (the CSP forbids it).
// Rule: text from the user or the model is only ever set with textContent; the only HTML
// inserted comes from the server, rendered and sanitised there (app.render.to_html, jinja2).
(function () {
  "use strict";

  var body = document.body;
  var APP = body.dataset.appName || "Docker Interview Mentor";
  var maxChars = parseInt(body.dataset.maxChars || "8000", 10);
  var conversationId = body.dataset.conversationId || null;
  var conversationTitle = body.dataset.conversationTitle || "";
  var mode = body.dataset.mode || "revision";

  var $ = function (id) { return document.getElementById(id); };
  var messages = $("messages");
  var inner = $("messages-inner");
  var form = $("composer");
  var input = $("composer-input");
  var sendBtn = $("send-btn");
  var stopBtn = $("stop-btn");
  var errorBox = $("composer-error");
  var titleEl = $("chat-title");

  var controller = null; // the AbortController of the reply being streamed
  var lastCard = null;

  // --- auth: only when the server sets MENTOR_API_TOKEN ---------------------------------
  function token() {
    try { return localStorage.getItem("mentor-token") || ""; } catch (e) { return ""; }
  }

  function headers(extra) {
    var h = Object.assign({}, extra || {});
    if (token()) h.Authorization = "Bearer " + token();
    return h;
  }

  function api(path, options, retried) {
    options = options || {};
    options.headers = headers(options.headers);
    options.credentials = "same-origin";
    return fetch(path, options).then(function (res) {
      if (res.status === 401 && !retried) {
        return askDialog({
          title: "Access token needed",
          text: "This server asks for an API token (MENTOR_API_TOKEN).",
          label: "Token",
          value: "",
          ok: "Save",
          password: true,
        }).then(function (value) {
          if (value === null) return res;
          try { localStorage.setItem("mentor-token", value.trim()); } catch (e) { /* ignore */ }
          return api(path, options, true);
        });
      }
      return res;
    });
  }

  function errorText(res) {
    return res.json().then(function (data) {
      var d = data && data.detail;
      if (typeof d === "string") return d;
      if (Array.isArray(d) && d.length) return d[0].msg || "The request was not valid.";
      return "The server answered " + res.status + ".";
    }, function () { return "The server answered " + res.status + "."; });
  }

  // --- page title, header and mode -------------------------------------------------------
  function setPageTitle(prefix) {
    var base = conversationTitle || "New chat";
    if (mode === "interview") base = "Mock interview · " + base;
    document.title = (prefix ? prefix + " · " : "") + base + " · " + APP;
  }

  function setMode(next) {
    mode = next || "revision";
    body.dataset.mode = mode;
    $("mode-pill").hidden = mode !== "interview";
    input.placeholder = mode === "interview"
      ? "Type your answer…"
      : "Ask for a section, a clarification or a mock interview…";
  }

  function setConversation(id, title, created) {
    conversationId = id;
    body.dataset.conversationId = id;
    if (title) conversationTitle = title;
    titleEl.textContent = conversationTitle || "New chat";
    $("conv-actions").hidden = false;
    if (location.pathname !== "/c/" + id) history.replaceState(null, "", "/c/" + id);
    if (created) addConversationLink(id, conversationTitle);
  }

  function addConversationLink(id, title) {
    var list = $("conversations");
    var empty = $("convs-empty");
    if (empty) empty.remove();
    list.querySelectorAll("a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "/c/" + id;
    a.dataset.conversationLink = id;
    a.setAttribute("aria-current", "page");
    a.textContent = title;
    li.appendChild(a);
    list.insertBefore(li, list.firstChild);
  }

  // --- scrolling: the new question goes to the top and its reply flows below it ---------
  // (like a reader, not a log tail: a long section note is read from its start)
  var pinned = null;

  function follow() {
    if (!pinned) return;
    var target = Math.min(pinned.offsetTop - 8, messages.scrollHeight - messages.clientHeight);
    if (messages.scrollTop < target) messages.scrollTop = target;
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  // --- enhancing server HTML: copy buttons, meters, current question --------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr-only";
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy") ? resolve() : reject(new Error("copy failed")); }
      catch (e) { reject(e); }
      ta.remove();
    });
  }

  function enhance(root) {
    if (window.MentorCharts) window.MentorCharts.scorecards(root); // the scorecard's bar chart
    root.querySelectorAll(".md pre").forEach(function (pre) {
      if (pre.parentElement.classList.contains("code-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "code-wrap";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "copy-btn";
      btn.textContent = "Copy";
      btn.setAttribute("aria-label", "Copy this code");
      btn.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        copyText(code.textContent).then(function () {
          btn.textContent = "Copied";
          btn.classList.add("is-done");
        }, function () {
          btn.textContent = "Copy failed";
        });
        setTimeout(function () { btn.textContent = "Copy"; btn.classList.remove("is-done"); }, 1800);
      });
      wrap.appendChild(btn);
    });
    root.querySelectorAll(".md table").forEach(function (table) {
      if (table.parentElement.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    root.querySelectorAll(".meter__fill[data-score]").forEach(function (el) {
      var v = Math.max(0, Math.min(10, parseFloat(el.dataset.score) || 0));
      el.style.width = v * 10 + "%";
    });
  }

  function markCurrentQuestion() {
    var cards = inner.querySelectorAll(".card--ask");
    cards.forEach(function (c) { c.classList.remove("is-current"); });
    if (mode === "interview" && cards.length) {
      var last = cards[cards.length - 1];
      last.classList.add("is-current");
      lastCard = last;
      var num = last.querySelector(".pill");
      if (num) setPageTitle(num.textContent);
    }
  }

  // --- progress in the sidebar -----------------------------------------------------------
  // data: GET /api/progress; mastery: section -> {value 0-1, status} from GET /api/progress/mastery (the same
  // numbers as the /progress chart), or null when that request failed (badges kept as they are)
  function renderProgress(data, mastery) {
    $("progress-summary").textContent = data.seen + "/20 seen" +
      (data.interviewed ? " · " + data.interviewed + " interviewed" : "");
    var bar = $("progress-fill");
    bar.style.width = (data.seen / 20) * 100 + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(data.seen));
    data.sections.forEach(function (s) {
      var btn = document.querySelector('.section-btn[data-section="' + s.number + '"]');
      if (!btn) return;
      btn.classList.toggle("is-seen", s.seen);
      var badges = btn.querySelector("[data-badges]");
      var oldMastery = badges.querySelector(".badge--mastery");
      badges.textContent = "";
      if (s.seen) badges.appendChild(badge("badge--seen", "✓", ", seen", "Seen"));
      if (s.last_score !== null && s.last_score !== undefined) {
        var score = (Math.round(s.last_score * 10) / 10).toString() + "/10";
        badges.appendChild(badge("badge--score", score, ", last interview score ", "Last interview score", true));
      }
      var m = mastery ? mastery[s.number] : null;
      if (m && m.value) {
        var pct = Math.round(m.value * 100) + "%";
        badges.appendChild(badge("badge--mastery badge--mastery-" + m.status, pct, ", mastery ", "Mastery", true));
      } else if (!mastery && oldMastery) {
        badges.appendChild(oldMastery);
      }
    });
  }

  function badge(cls, visible, srText, title, srFirst) {
    var span = document.createElement("span");
    span.className = "badge " + cls;
    span.title = title;
    var sr = document.createElement("span");
    sr.className = "sr-only";
    sr.textContent = srText;
    var shown = document.createElement("span");
    shown.textContent = visible;
    if (!srFirst) shown.setAttribute("aria-hidden", "true");
    if (srFirst) { span.appendChild(sr); span.appendChild(shown); }
    else { span.appendChild(shown); span.appendChild(sr); }
    return span;
  }

  function masteryBySection() {
    return api("/api/progress/mastery").then(function (res) {
      if (!res.ok) return null;
      return res.json().then(function (data) {
        var bySection = {};
        data.sections.forEach(function (s) { bySection[s.section] = { value: s.mastery, status: s.status }; });
        return bySection;
      });
    }).catch(function () { return null; });
  }

  function refreshProgress() {
    // one after the other: a server that asks for a token asks once, not twice at a time
    return api("/api/progress").then(function (res) {
      if (!res.ok) return;
      return res.json().then(function (data) {
        return masteryBySection().then(function (mastery) { renderProgress(data, mastery); });
      });
    }).catch(function () { /* the sidebar keeps its last state */ });
  }

  function markCurrentSection(n) {
    document.querySelectorAll(".section-btn.is-current").forEach(function (b) { b.classList.remove("is-current"); });
    if (!n) return;
    var btn = document.querySelector('.section-btn[data-section="' + n + '"]');
    if (btn) btn.classList.add("is-current");
  }

  // --- server-sent events over fetch -----------------------------------------------------
  function parseEvents(buffer, onEvent) {
    // returns the unparsed rest; events are separated by a blank line
    var parts = buffer.split(/\r?\n\r?\n/);
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message";
      var data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var payload;
      try { payload = JSON.parse(data.join("\n")); } catch (e) { return; }
      onEvent(name, payload);
    });
    return rest;
  }

  function clone(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function setBusy(busy) {
    sendBtn.hidden = busy;
    stopBtn.hidden = !busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) setPageTitle("Answering…");
    else setPageTitle(mode === "interview" && lastCard ? (lastCard.querySelector(".pill") || {}).textContent : "");
  }

  function showError(text) {
    errorBox.textContent = text || "";
  }

  function send(text) {
    if (controller) return; // one reply at a time
    showError("");
    if (!text.trim()) {
      showError("Type a message first.");
      input.focus();
      return;
    }
    if (text.length > maxChars) {
      showError("The message has " + text.length + " characters; the limit is " + maxChars + ".");
      return;
    }
    var welcome = $("welcome");
    if (welcome) welcome.remove();

    var userEl = clone("tpl-user");
    userEl.querySelector(".md").textContent = text;
    inner.appendChild(userEl);
    var replyEl = clone("tpl-assistant");
    var md = replyEl.querySelector(".md");
    inner.appendChild(replyEl);
    pinned = userEl;
    follow();

    input.value = "";
    autosize();
    controller = new AbortController();
    setBusy(true);
    var streamed = null; // the text node that grows token by token
    var finished = false;

    function stream(res) {
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function onEvent(name, data) {
        if (name === "meta") {
          setConversation(data.conversation_id, data.title, data.created);
          if (data.user_html) {
            var um = userEl.querySelector(".md");
            um.classList.remove("md--plain");
            um.innerHTML = data.user_html; // sanitised on the server
          }
          if (data.user_message_id) userEl.dataset.messageId = data.user_message_id;
          if (data.intent === "section" || data.intent === "next") markCurrentSection(data.section);
        } else if (name === "delta") {
          if (!streamed) {
            md.textContent = "";
            streamed = document.createTextNode("");
            md.appendChild(streamed);
          }
          streamed.appendData(data.text);
          follow();
        } else if (name === "done") {
          finished = true;
          var holder = document.createElement("div");
          holder.innerHTML = data.message_html; // server-rendered and sanitised
          var fresh = holder.firstElementChild;
          replyEl.replaceWith(fresh);
          replyEl = fresh;
          setMode(data.mode);
          enhance(fresh);
          markCurrentQuestion();
          follow();
          // in an interview the question to answer must be in view
          var ask = fresh.querySelector(".card--ask.is-current");
          if (ask) ask.scrollIntoView({ block: "nearest" });
          if (data.current_section) markCurrentSection(data.current_section);
          refreshProgress();
        } else if (name === "error") {
          finished = true;
          if (data.conversation_id) setConversation(data.conversation_id, null, false);
          replyEl.classList.remove("is-streaming");
          replyEl.classList.add("msg--failed");
          replyEl.removeAttribute("aria-busy");
          var p = document.createElement("p");
          p.className = "msg__status";
          p.textContent = data.message;
          if (!streamed) md.textContent = "";
          replyEl.querySelector(".msg__body").appendChild(p);
        }
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            parseEvents(buffer + "\n\n", onEvent);
            return;
          }
          buffer = parseEvents(buffer + decoder.decode(chunk.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    }

    api("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ message: text, conversation_id: conversationId }),
      signal: controller.signal,
    }).then(function (res) {
      if (!res.ok) {
        return errorText(res).then(function (msg) {
          // the server refused the message (too long, empty, unknown conversation): give
          // the text back so nothing typed is lost
          userEl.remove();
          replyEl.remove();
          input.value = text;
          autosize();
          showError(msg);
        });
      }
      return stream(res);
    }).catch(function (err) {
      if (err && err.name === "AbortError") {
        stopped(replyEl, md, streamed);
        return;
      }
      replyEl.classList.add("msg--failed");
      md.textContent = streamed ? md.textContent : "";
      var p = document.createElement("p");
      p.className = "msg__status";
      p.textContent = "The connection failed. Your message is saved: send it again to retry.";
      replyEl.querySelector(".msg__body").appendChild(p);
    }).then(function () {
      if (!finished && replyEl.classList.contains("is-streaming") && !replyEl.classList.contains("msg--partial")) {
        stopped(replyEl, md, streamed);
      }
      controller = null;
      setBusy(false);
      replyEl.classList.remove("is-streaming");
      replyEl.removeAttribute("aria-busy");
      input.focus();
    });
  }

  function stopped(replyEl, md, streamed) {
    replyEl.classList.remove("is-streaming");
    replyEl.classList.add("msg--partial");
    if (!streamed) md.textContent = "";
    var p = document.createElement("p");
    p.className = "msg__status";
    p.textContent = "Stopped before the end: this reply is incomplete.";
    replyEl.querySelector(".msg__body").appendChild(p);
  }

  // --- the composer ----------------------------------------------------------------------
  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, window.innerHeight * 0.4) + "px";
  }

  input.addEventListener("input", function () {
    autosize();
    if (input.value.length <= maxChars) showError("");
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send(input.value);
    }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send(input.value);
  });

  stopBtn.addEventListener("click", function () {
    if (controller) controller.abort();
  });

  // quick actions, suggestions and the section list all carry data-prompt
  document.addEventListener("click", function (e) {
    var target = e.target.closest("[data-prompt]");
    if (!target) return;
    e.preventDefault(); // a section link in the sidebar starts the section here
    send(target.dataset.prompt);
  });

  // --- dialog (rename, delete, token) ----------------------------------------------------
  var dialog = $("dialog");
  function askDialog(opts) {
    return new Promise(function (resolve) {
      $("dialog-title").textContent = opts.title;
      $("dialog-text").textContent = opts.text || "";
      var field = $("dialog-field");
      var dInput = $("dialog-input");
      field.hidden = opts.label === undefined;
      $("dialog-label").textContent = opts.label || "";
      dInput.type = opts.password ? "password" : "text";
      dInput.value = opts.value || "";
      $("dialog-ok").textContent = opts.ok || "OK";
      $("dialog-ok").classList.toggle("btn--danger", !!opts.danger);
      function done(value) {
        dialog.removeEventListener("close", onClose);
        $("dialog-cancel").removeEventListener("click", onCancel);
        resolve(value);
      }
      function onClose() {
        done(dialog.returnValue === "ok" ? (field.hidden ? "" : dInput.value) : null);
      }
      function onCancel() { dialog.close("cancel"); }
      dialog.addEventListener("close", onClose);
      $("dialog-cancel").addEventListener("click", onCancel);
      dialog.returnValue = "";
      dialog.showModal();
      (field.hidden ? $("dialog-ok") : dInput).focus();
      if (!field.hidden) dInput.select();
    });
  }

  $("rename-btn").addEventListener("click", function () {
    if (!conversationId) return;
    askDialog({ title: "Rename the conversation", label: "Title", value: conversationTitle, ok: "Rename" })
      .then(function (value) {
        if (value === null || !value.trim()) return;
        return api("/api/conversations/" + conversationId, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ title: value }),
        }).then(function (res) {
          if (!res.ok) return errorText(res).then(showError);
          return res.json().then(function (data) {
            conversationTitle = data.title;
            titleEl.textContent = data.title;
            var link = document.querySelector('[data-conversation-link="' + conversationId + '"]');
            if (link) link.textContent = data.title;
            setPageTitle("");
          });
        });
      });
  });

  $("delete-btn").addEventListener("click", function () {
    if (!conversationId) return;
    askDialog({
      title: "Delete this conversation?",
      text: "“" + conversationTitle + "” and its messages will be deleted. Your section progress stays.",
      ok: "Delete",
      danger: true,
    }).then(function (value) {
      if (value === null) return;
      return api("/api/conversations/" + conversationId, { method: "DELETE" }).then(function (res) {
        if (!res.ok && res.status !== 404) return errorText(res).then(showError);
        location.assign("/");
      });
    });
  });

  $("export-btn").addEventListener("click", function () {
    if (!conversationId) return;
    api("/api/conversations/" + conversationId + "/export").then(function (res) {
      if (!res.ok) return errorText(res).then(showError);
      var name = "conversation.md";
      var m = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
      if (m) name = m[1];
      return res.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = document.createElement("a");
        a.href = url;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      });
    });
  });

  // --- start -----------------------------------------------------------------------------
  enhance(inner);
  setMode(mode);
  markCurrentQuestion();
  if (!lastCard) setPageTitle("");
  scrollDown();
  autosize();
  if (window.matchMedia("(min-width: 821px)").matches) input.focus();
  // "/?ask=..." (the progress page's first steps): send that message once, in a new chat
  var ask = new URLSearchParams(location.search).get("ask");
  if (ask && !conversationId) {
    history.replaceState(null, "", "/");
    send(ask.slice(0, maxChars));
  }
})();
