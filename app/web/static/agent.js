/* Agent panel: build a suggest request from the form (or the URL, or a CRM's postMessage),
   show what to say now, what to hold and what never to raise; coach the agent's own wording. */
(function () {
  "use strict";
  var form = document.getElementById("suggest-form");
  var dpBox = document.getElementById("datapoints");
  var dpTemplate = document.getElementById("dp-template");
  var CONTEXT_FIELDS = ["channel", "industry", "stage", "issue_resolved", "reason", "relationship",
                        "customer_utterances", "do_not_market", "conversation_id"];
  var embedOrigins = (document.body.getAttribute("data-embed-origins") || "").split(/\s+/).filter(Boolean);
  var lastRequest = null;
  var replyTo = null;   // {source, origin} of a CRM frame that sent a request

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function words(s) { return String(s || "").replace(/_/g, " "); }
  function quote(v) { v = String(v); return "'" + (v.length > 40 ? v.slice(0, 37) + "..." : v) + "'"; }
  // Topic titles for headings, and how each known key is usually said (for the label's placeholder).
  var NAMES = JSON.parse($("topic-names").textContent);

  /* ---------------------------------------------------------------- data point rows */
  function renumber() {
    var rows = dpBox.querySelectorAll("fieldset.dp");
    rows.forEach(function (row, i) {
      row.querySelector(".dp-n").textContent = String(i + 1);
      row.querySelector(".remove-dp").hidden = rows.length < 2;
    });
  }
  function addRow(dp) {
    var row = dpTemplate.content.firstElementChild.cloneNode(true);
    dpBox.appendChild(row);
    row.querySelector(".remove-dp").addEventListener("click", function () { row.remove(); renumber(); });
    var key = row.querySelector("[name=key]"), mode = row.querySelector("[name=consent_mode]"),
        boxes = row.querySelectorAll("[name=consent]");
    key.addEventListener("input", function () { labelHint(row); });
    // Ticking a purpose means consent was given; "none" and "unknown" clear the ticks.
    mode.addEventListener("change", function () {
      if (mode.value !== "given") boxes.forEach(function (b) { b.checked = false; });
    });
    boxes.forEach(function (b) { b.addEventListener("change", function () { if (b.checked) mode.value = "given"; }); });
    if (dp) fillRow(row, dp, dpBox.querySelectorAll("fieldset.dp").length - 1);
    labelHint(row);
    renumber();
    return row;
  }
  function labelHint(row) {
    var key = row.querySelector("[name=key]").value.trim();
    row.querySelector("[name=label]").placeholder = key ? (NAMES.labels[key] || words(key.split(".").pop())) :
      "how to say it";
  }
  // A value a dropdown does not offer is named, and the dropdown keeps its sensible default.
  var fillProblems = [];
  function setChoice(select, value, field) {
    var v = value === undefined || value === null ? "" : String(value);
    if (!select.options) { select.value = v; return; }   // a free-text field (industry): the server judges it
    var allowed = Array.prototype.map.call(select.options, function (o) { return o.value; });
    if (allowed.indexOf(v) >= 0) { select.value = v; return; }
    fillProblems.push(field + ": expected one of " + allowed.filter(Boolean).join(", ") + "; got " + quote(v));
  }
  function fillRow(row, dp, i) {
    var at = "datapoints[" + i + "].";
    row.querySelector("[name=key]").value = dp.key || "";
    var v = dp.value;
    row.querySelector("[name=value]").value = (v === undefined || v === null) ? "" :
      (typeof v === "string" ? v : JSON.stringify(v));
    row.querySelector("[name=label]").value = dp.label || "";
    setChoice(row.querySelector("[name=category]"), dp.category, at + "category");
    if (dp.provenance !== undefined) setChoice(row.querySelector("[name=provenance]"), dp.provenance, at + "provenance");
    // A request without consent says it is unknown (the contract); an empty list says none was given.
    var consent = Array.isArray(dp.consent) ? dp.consent : [];
    if (dp.consent !== undefined && dp.consent !== null && !Array.isArray(dp.consent)) {
      fillProblems.push(at + "consent: expected an array of purposes");
    }
    var purposes = Array.prototype.map.call(row.querySelectorAll("[name=consent]"), function (b) { return b.value; });
    consent.forEach(function (c, j) {
      if (purposes.indexOf(c) < 0) fillProblems.push(at + "consent[" + j + "]: expected one of " + purposes.join(", ") +
                                                      "; got " + quote(c));
    });
    row.querySelector("[name=consent_mode]").value = !Array.isArray(dp.consent) ? "unknown" :
      (consent.length ? "given" : "none");
    row.querySelectorAll("[name=consent]").forEach(function (box) { box.checked = consent.indexOf(box.value) >= 0; });
  }
  function parseValue(text) {
    var t = text.trim();
    if (/^(true|false|null|-?\d+(\.\d+)?|[\[{"].*)$/s.test(t)) {
      try { return JSON.parse(t); } catch (e) { /* plain text */ }
    }
    return text;
  }
  function readRow(row) {
    var dp = { key: row.querySelector("[name=key]").value.trim(),
               value: parseValue(row.querySelector("[name=value]").value),
               provenance: row.querySelector("[name=provenance]").value };
    var label = row.querySelector("[name=label]").value.trim();
    var category = row.querySelector("[name=category]").value;
    if (label) dp.label = label;
    if (category) dp.category = category;
    var mode = row.querySelector("[name=consent_mode]").value;
    if (mode !== "unknown") {
      var consent = [];
      row.querySelectorAll("[name=consent]:checked").forEach(function (box) { consent.push(box.value); });
      dp.consent = mode === "given" ? consent : [];
    }
    return dp;
  }

  /* ---------------------------------------------------------------- context */
  function readContext() {
    var ctx = { channel: $("ctx-channel").value };
    ["industry", "stage", "relationship"].forEach(function (f) { var v = $("ctx-" + f).value.trim(); if (v) ctx[f] = v; });
    var reason = $("ctx-reason").value.trim();
    if (reason) ctx.reason = reason;
    var resolved = $("ctx-issue_resolved").value;
    if (resolved) ctx.issue_resolved = resolved === "true";
    var said = $("ctx-customer_utterances").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (said.length) ctx.customer_utterances = said;
    if ($("ctx-do_not_market").checked) ctx.do_not_market = true;
    var tone = document.querySelector("input[name=tone]:checked");
    if (tone && tone.value) ctx.receptiveness = tone.value;
    ctx.conversation_id = conversation.id;
    return ctx;
  }
  function fillContext(ctx) {
    ctx = ctx || {};
    ["channel", "industry", "stage", "relationship", "issue_resolved"].forEach(function (f) {
      if (ctx[f] !== undefined) setChoice($("ctx-" + f), ctx[f], "context." + f);
    });
    if (ctx.reason !== undefined) $("ctx-reason").value = ctx.reason || "";
    if (Array.isArray(ctx.customer_utterances)) $("ctx-customer_utterances").value = ctx.customer_utterances.join("\n");
    if (ctx.do_not_market !== undefined) $("ctx-do_not_market").checked = !!ctx.do_not_market;
    if (ctx.receptiveness !== undefined) {
      var levels = Array.prototype.map.call(document.querySelectorAll("input[name=tone]"), function (r) { return r.value; });
      if (levels.indexOf(ctx.receptiveness || "") >= 0) setTone(ctx.receptiveness || "");
      else fillProblems.push("context.receptiveness: expected one of " + levels.filter(Boolean).join(", ") +
                             "; got " + quote(ctx.receptiveness));
    }
    if (typeof ctx.conversation_id === "string" && ctx.conversation_id) conversation.use(ctx.conversation_id);
  }
  function setTone(level) {
    document.querySelectorAll("input[name=tone]").forEach(function (r) { r.checked = r.value === (level || ""); });
  }
  function buildRequest() {
    var dps = [];
    dpBox.querySelectorAll("fieldset.dp").forEach(function (row) {
      var dp = readRow(row);
      if (dp.key) dps.push(dp);
    });
    return { datapoints: dps, context: readContext() };
  }
  /* Fill the form from a request; false (with the problems shown) when it holds values the form cannot. */
  function fillFromRequest(req) {
    var dps = Array.isArray(req.datapoints) ? req.datapoints : (req.datapoint ? [req.datapoint] : []);
    fillProblems = [];
    dpBox.textContent = "";
    if (!dps.length) addRow();
    dps.forEach(function (dp) { if (dp && typeof dp === "object") addRow(dp); });
    fillContext(req.context);
    showError(fillProblems.join("\n"));
    if (fillProblems.length) document.body.setAttribute("data-state", "error");
    return !fillProblems.length;
  }

  /* ---------------------------------------------------------------- suggest */
  function showError(message) {
    var box = $("errors");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function suggest() {
    var req = buildRequest();
    if (!req.datapoints.length) { showError("Enter at least one data point key."); return Promise.resolve(); }
    lastRequest = req;
    document.body.setAttribute("data-state", "loading");
    return fetch("api/v1/suggest", { method: "POST", headers: { "Content-Type": "application/json" },
                                     body: JSON.stringify(req) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          var err = res.body && res.body.error ? res.body.error : { message: "Request failed" };
          showError(err.message);
          document.body.setAttribute("data-state", "error");
          reply({ type: "tact:error", error: err });
          return;
        }
        showError("");
        render(req, res.body);
        document.body.setAttribute("data-state", "ready");
        reply({ type: "tact:result", response: res.body });
      })
      .catch(function () {
        showError("Could not reach Tact. Check the connection and try again.");
        document.body.setAttribute("data-state", "error");
      });
  }
  function reply(message) {
    if (replyTo && replyTo.source && typeof replyTo.source.postMessage === "function") {
      try { replyTo.source.postMessage(message, replyTo.origin); } catch (e) { /* frame went away */ }
    }
  }

  function nameOf(dp, result) {
    var title = result.topic ? NAMES.titles[result.topic] : null;
    // A screen can be seen by the customer or a neighbour: a sensitive item is never named, not even by kind.
    if (result.category && SENSITIVE.indexOf(result.category) >= 0) return title || "Personal (keep it discreet)";
    return dp.label || title || words(dp.key.split(".").pop());
  }
  var SENSITIVE = ["health", "medication", "pregnancy", "disability", "religion", "ethnicity", "sexual_orientation",
                   "political", "union", "genetic", "biometric", "criminal", "financial_hardship", "location",
                   "children", "immigration"];

  function lineItem(title, text, extra) {
    var li = el("li");
    if (title) li.appendChild(el("span", "line-title", title));
    if (text) li.appendChild(el("span", "line-text", text));
    if (extra) li.appendChild(extra);
    return li;
  }
  function reasonsOf(result) {
    return result.reasons.map(function (r) { return r.message; }).join(" ");
  }

  function render(req, body) {
    var results = body.results || [body];
    var byId = {}, resultOf = {};
    results.forEach(function (r) { r.suggestions.forEach(function (s) { byId[s.id] = s; resultOf[s.id] = r; }); });
    var sayNow = (body.say_now || []).map(function (id) { return byId[id]; }).filter(Boolean);
    var more = $("say-now-more"), quietly = $("quietly-list"), hold = $("hold-list"), withhold = $("withhold-list"),
        honest = $("honest-list"), avoid = $("avoid-list");
    [more, quietly, hold, withhold, honest, avoid].forEach(function (n) { n.textContent = ""; });

    // A quiet action is the thing to do: it is shown large, its confirmation line below it.
    var quiet = results.filter(function (r) { return r.decision === "apply_silently" && r.action; });
    var top = sayNow[0] ? resultOf[sayNow[0].id] : quiet[0];
    var quietTop = top && top.decision === "apply_silently" && top.action ? top : null;
    var first = sayNow[0] || (results[0] && results[0].suggestions[0]) || null;
    var confirm = quietTop && quietTop.suggestions[0] ? quietTop.suggestions[0].text : "";
    $("say-now-empty").hidden = !!(first || quietTop);
    $("say-now-main").hidden = !(first || quietTop);
    $("say-now-main").setAttribute("data-kind", quietTop ? "do" : "say");
    $("say-now-kind").hidden = !quietTop;
    $("say-now-text").textContent = quietTop ? quietTop.action : (first ? first.text : "");
    // A line may be reworded in place before copying (reported as edited); an action is not a line to reword.
    $("say-now-text").setAttribute("contenteditable", quietTop ? "false" : "true");
    $("say-now-line").textContent = confirm;
    $("say-now-sub").hidden = !confirm;
    $("say-now-copy").setAttribute("data-copy", quietTop ? "say-now-line" : "say-now-text");
    $("say-now-copy").textContent = quietTop ? "Copy the line" : "Copy";
    $("say-now-copy").hidden = !!quietTop && !confirm;
    showLine(quietTop ? null : first, results, req);
    if (!sayNow.length && !quietTop) {
      $("say-now-empty").hidden = false;
      var guidance = results[0] && results[0].guidance;
      $("say-now-empty").textContent = (guidance && guidance.message) || "Nothing from the records to raise now.";
    }
    sayNow.slice(1).forEach(function (s) {   // a quiet action's line stays with its action
      if (resultOf[s.id].decision !== "apply_silently") more.appendChild(lineItem(null, s.text));
    });

    var level = results[0] ? results[0].receptiveness : null;
    $("tone-note").textContent = level ? ("Tone: " + level.level + (level.estimated ?
      " (estimated" + (level.signals.length ? " from " + level.signals.join(", ") : "") + ")" : "")) : "";

    var counts = { quietly: 0, hold: 0, withhold: 0, honest: 0, avoid: 0 };
    results.forEach(function (r, i) {
      var dp = req.datapoints[i] || { key: "" };
      var name = nameOf(dp, r);
      if (r.decision === "apply_silently") {
        if (r !== quietTop) {
          counts.quietly++;
          quietly.appendChild(lineItem(name, r.action || "Nothing to do here.",
            r.suggestions[0] ? el("span", "line-sub", "You might say: " + r.suggestions[0].text) : null));
        }
      } else if (r.decision === "defer") {
        counts.hold++;
        hold.appendChild(lineItem(name, reasonsOf(r)));
      } else if (r.decision === "withhold") {
        counts.withhold++;
        var cat = r.category ? " (" + words(r.category) + ")" : "";
        withhold.appendChild(lineItem(nameOf(dp, r) + cat, reasonsOf(r)));
      } else if (r.suggestions.length && sayNow.indexOf(r.suggestions[0]) < 0) {
        more.appendChild(lineItem(name, r.suggestions[0].text));
      }
      if (r.action && r.decision !== "apply_silently") {
        // A need the customer raised, or one booked and withheld: what to do, discreetly.
        counts.quietly++;
        quietly.appendChild(lineItem(name, r.action));
      }
      if (r.honest_answer && (r.decision !== "withhold")) {
        counts.honest++;
        honest.appendChild(lineItem(name, r.honest_answer));
      }
      (r.avoid || []).forEach(function (a) { counts.avoid++; avoid.appendChild(lineItem(null, a)); });
    });
    $("quietly").hidden = !counts.quietly;
    $("hold-card").hidden = !counts.hold;
    $("withhold-card").hidden = !counts.withhold;
    $("extra-card").hidden = !(counts.honest || counts.avoid);
  }

  /* ---------------------------------------------------------------- copy */
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("button.copy") : null;
    if (!btn) return;
    var text = $(btn.getAttribute("data-copy")).textContent;
    if (btn.getAttribute("data-copy") === "say-now-text") lineCopied(text);
    var status = btn.parentNode.querySelector(".copied");
    function done(ok) { if (status) { status.textContent = ok ? "Copied" : "Select the text to copy"; setTimeout(function () { status.textContent = ""; }, 2000); } }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
    } else { done(fallbackCopy(text)); }
  });
  function fallbackCopy(text) {
    var area = el("textarea"); area.value = text; area.setAttribute("readonly", "");
    area.className = "visually-hidden"; document.body.appendChild(area); area.select();
    var ok = false; try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove(); return ok;
  }

  /* ---------------------------------------------------------------- coaching */
  var coachTimer = null, coachAbort = null;
  function coach() {
    var text = $("coach-text").value;
    if (coachAbort) coachAbort.abort();
    if (!text.trim()) { renderCheck("", null); return; }
    coachAbort = typeof AbortController === "function" ? new AbortController() : null;
    var ctx = readContext();
    var req = { text: text, context: { channel: ctx.channel } };
    if (ctx.customer_utterances) req.context.customer_utterances = ctx.customer_utterances;
    fetch("api/v1/check", { method: "POST", headers: { "Content-Type": "application/json" },
                            body: JSON.stringify(req), signal: coachAbort ? coachAbort.signal : undefined })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if ($("coach-text").value !== text) return;
        if (!res.ok) { $("coach-status").textContent = res.body.error ? res.body.error.message : "Check failed"; return; }
        renderCheck(text, res.body);
      })
      .catch(function (e) { if (!e || e.name !== "AbortError") $("coach-status").textContent = "Could not reach Tact."; });
  }
  function renderCheck(text, result) {
    var box = $("coach-marked"), list = $("coach-findings");
    box.textContent = ""; list.textContent = "";
    var status = $("coach-status");
    if (!result) { status.textContent = ""; status.className = "status"; $("coach-rewrite-box").hidden = true;
                   document.body.removeAttribute("data-coach"); return; }
    var findings = result.findings.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var at = 0;
    findings.forEach(function (f) {
      if (f.start < at || f.end > text.length) return;
      if (f.start > at) box.appendChild(document.createTextNode(text.slice(at, f.start)));
      var mark = el("mark", "sev-" + f.severity, text.slice(f.start, f.end));
      mark.title = f.message;
      box.appendChild(mark);
      at = f.end;
    });
    if (at < text.length) box.appendChild(document.createTextNode(text.slice(at)));
    result.findings.forEach(function (f) {
      var li = el("li", "sev-" + f.severity);
      li.appendChild(el("q", null, f.match));
      li.appendChild(document.createTextNode(" — " + f.message + " "));
      li.appendChild(el("span", "rule", "(" + f.rule + ")"));
      list.appendChild(li);
    });
    status.textContent = result.revealing ? "Reveals what the records hold — ask instead." :
      (result.findings.length ? "Nearly there: see the notes." : "Reads fine: nothing revealing.");
    status.className = "status " + (result.revealing ? "bad" : "good");
    $("coach-rewrite").textContent = result.rewrite || "";
    $("coach-rewrite-box").hidden = !result.rewrite;
    document.body.setAttribute("data-coach", result.revealing ? "revealing" : "fine");
  }
  $("coach-text").addEventListener("input", function () {
    clearTimeout(coachTimer);
    coachTimer = setTimeout(coach, 250);
  });

  /* ---------------------------------------------------------------- feedback: shown, used, edited, declined */
  var conversation = {
    id: null,
    seen: {},      // suggestion ids already reported shown in this call
    use: function (id) {
      if (id === this.id) return;
      this.id = id; this.seen = {};
      try { sessionStorage.setItem("tact.panel.conversation", id); } catch (e) { /* private mode */ }
      $("conversation-id").textContent = id;
    },
    fresh: function () { this.use("call-" + TactFeedback.uuid()); }
  };
  var line = null;   // the say-now line on screen: {suggestion, result, context, reported}

  function ownerOf(suggestion, results) {
    for (var i = 0; i < results.length; i++) {
      if (results[i].suggestions.indexOf(suggestion) >= 0) return results[i];
    }
    return null;
  }
  function report(event, suggestion, result, context, reason) {
    if (!suggestion || !result || !result.topic) return;
    TactFeedback.record({ conversation_id: conversation.id, topic: result.topic, suggestion_id: suggestion.id,
                          event: event, reason: reason, decision: result.decision, channel: context.channel,
                          industry: context.industry, stage: context.stage });
  }
  function showLine(first, results, req) {
    $("fit-form").hidden = true;
    $("didnt-fit").setAttribute("aria-expanded", "false");
    var owner = first ? ownerOf(first, results) : null;
    // A neutral line standing in for a held topic is not that topic's phrasing: nothing to report on it.
    var speaks = function (r) { return r && r.decision !== "withhold" && r.decision !== "defer"; };
    line = speaks(owner) ? { suggestion: first, result: owner, context: req.context, reported: false } : null;
    $("didnt-fit").hidden = !line;
    results.forEach(function (r) {
      var s = r.suggestions[0];
      if (s && speaks(r) && !conversation.seen[s.id]) { conversation.seen[s.id] = true; report("shown", s, r, req.context); }
    });
    if (line && line.suggestion !== line.result.suggestions[0] && !conversation.seen[first.id]) {
      conversation.seen[first.id] = true;
      report("shown", first, owner, req.context);
    }
  }
  function lineCopied(text) {
    if (!line || line.reported) return;
    line.reported = true;   // one used or edited a line: copying it twice is still one use
    var edited = text.replace(/\s+/g, " ").trim() !== line.suggestion.text.replace(/\s+/g, " ").trim();
    report(edited ? "edited" : "used", line.suggestion, line.result, line.context);
  }
  $("didnt-fit").addEventListener("click", function () {
    var open = $("fit-form").hidden;
    $("fit-form").hidden = !open;
    this.setAttribute("aria-expanded", String(open));
    if (open) document.querySelector(".fit-reason").focus();
  });
  document.querySelectorAll(".fit-reason").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!line) return;
      report("declined", line.suggestion, line.result, line.context, b.getAttribute("data-reason"));
      line.reported = true;
      $("fit-form").hidden = true;
      $("didnt-fit").setAttribute("aria-expanded", "false");
      $("fit-note").textContent = "Noted: it won't be suggested again in this call.";
      // Once the decline is stored, ask again: the call's memory holds the topic back.
      TactFeedback.flush().then(function () { if (lastRequest) suggest(); });
    });
  });
  $("new-call").addEventListener("click", function () { conversation.fresh(); $("fit-note").textContent = ""; });
  (function () {
    var kept = null;
    try { kept = sessionStorage.getItem("tact.panel.conversation"); } catch (e) { kept = null; }
    if (kept) conversation.use(kept); else conversation.fresh();
  })();

  /* ---------------------------------------------------------------- wiring */
  $("add-dp").addEventListener("click", function () { addRow().querySelector("[name=key]").focus(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); suggest(); });
  document.querySelectorAll("input[name=tone]").forEach(function (r) {
    r.addEventListener("change", function () { if (lastRequest) suggest(); });
  });

  // A CRM page embedding the panel may send {type: "tact:suggest", request: {...}} or {type: "tact:check", text}.
  window.addEventListener("message", function (e) {
    var allowed = e.origin === window.location.origin || embedOrigins.indexOf(e.origin) >= 0;
    if (!allowed) return;
    var data = e.data;
    if (!data || typeof data !== "object" || Array.isArray(data) || typeof data.type !== "string") return;
    if (data.type === "tact:suggest") {
      var req = data.request;
      if (!req || typeof req !== "object" || Array.isArray(req)) return;
      var dps = req.datapoints !== undefined ? req.datapoints : (req.datapoint ? [req.datapoint] : null);
      if (!Array.isArray(dps) || !dps.length || dps.length > 100) return;
      if (!dps.every(function (d) { return d && typeof d === "object" && typeof d.key === "string"; })) return;
      if (req.context !== undefined && (typeof req.context !== "object" || req.context === null)) return;
      replyTo = { source: e.source, origin: e.origin };
      if (fillFromRequest({ datapoints: dps, context: req.context || {} })) suggest();
      else reply({ type: "tact:error", error: { code: "invalid_value", message: fillProblems.join("\n") } });
    } else if (data.type === "tact:check" && typeof data.text === "string" && data.text.length <= 20000) {
      $("coach-text").value = data.text;
      coach();
    }
  });

  // The URL may carry one or more data points and the context:
  // ?key=policy.auto&value=none&provenance=account_record&channel=phone&stage=wrap_up&issue_resolved=true
  // consent=service,marketing lists purposes; without it consent is none (the safe default), consent=unknown
  // leaves it out. Returns null with no data point in the URL, else whether the form could take it all.
  function fromQuery() {
    var q = new URLSearchParams(window.location.search);
    var keys = q.getAll("key");
    if (!keys.length) return null;
    var values = q.getAll("value"), labels = q.getAll("label"), cats = q.getAll("category"),
        provs = q.getAll("provenance"), consents = q.getAll("consent");
    var dps = keys.map(function (k, i) {
      var dp = { key: k, value: values[i] !== undefined ? parseValue(values[i]) : "",
                 provenance: provs[i] || provs[0] || "account_record" };
      if (labels[i]) dp.label = labels[i];
      if (cats[i]) dp.category = cats[i];
      var c = consents[i] !== undefined ? consents[i] : consents[0];
      if (c !== "unknown") dp.consent = c && c !== "none" ? c.split(",").filter(Boolean) : [];
      return dp;
    });
    var ctx = {};
    CONTEXT_FIELDS.forEach(function (f) {
      if (!q.has(f)) return;
      var v = q.get(f);
      if (f === "issue_resolved") ctx[f] = v === "" ? null : v === "true" ? true : v === "false" ? false : v;
      else if (f === "do_not_market") ctx[f] = v === "true";
      else if (f === "customer_utterances") ctx[f] = q.getAll(f);
      else ctx[f] = v;
    });
    if (q.has("receptiveness")) ctx.receptiveness = q.get("receptiveness");
    var filled = fillFromRequest({ datapoints: dps, context: ctx });
    if (q.has("text")) { $("coach-text").value = q.get("text"); coach(); }
    return filled;
  }

  var fromUrl = fromQuery();
  if (fromUrl === null) addRow();
  else if (fromUrl) suggest();
  document.body.setAttribute("data-ready", "true");
})();
