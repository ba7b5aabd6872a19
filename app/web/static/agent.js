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
    if (dp) fillRow(row, dp);
    renumber();
    return row;
  }
  function fillRow(row, dp) {
    row.querySelector("[name=key]").value = dp.key || "";
    var v = dp.value;
    row.querySelector("[name=value]").value = (v === undefined || v === null) ? "" :
      (typeof v === "string" ? v : JSON.stringify(v));
    row.querySelector("[name=label]").value = dp.label || "";
    row.querySelector("[name=category]").value = dp.category || "";
    if (dp.provenance) row.querySelector("[name=provenance]").value = dp.provenance;
    var consent = Array.isArray(dp.consent) ? dp.consent : [];
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
    var consent = [];
    row.querySelectorAll("[name=consent]:checked").forEach(function (box) { consent.push(box.value); });
    if (consent.length) dp.consent = consent;
    return dp;
  }

  /* ---------------------------------------------------------------- context */
  function readContext() {
    var ctx = { channel: $("ctx-channel").value };
    ["industry", "stage", "relationship"].forEach(function (f) { var v = $("ctx-" + f).value; if (v) ctx[f] = v; });
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
    ["channel", "industry", "stage", "relationship"].forEach(function (f) {
      if (ctx[f] !== undefined) $("ctx-" + f).value = ctx[f] || "";
    });
    if (ctx.reason !== undefined) $("ctx-reason").value = ctx.reason || "";
    if (ctx.issue_resolved !== undefined) $("ctx-issue_resolved").value =
      ctx.issue_resolved === null ? "" : String(!!ctx.issue_resolved);
    if (Array.isArray(ctx.customer_utterances)) $("ctx-customer_utterances").value = ctx.customer_utterances.join("\n");
    if (ctx.do_not_market !== undefined) $("ctx-do_not_market").checked = !!ctx.do_not_market;
    if (ctx.receptiveness !== undefined) setTone(ctx.receptiveness || "");
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
  function fillFromRequest(req) {
    var dps = Array.isArray(req.datapoints) ? req.datapoints : (req.datapoint ? [req.datapoint] : []);
    dpBox.textContent = "";
    if (!dps.length) addRow();
    dps.forEach(function (dp) { if (dp && typeof dp === "object") addRow(dp); });
    fillContext(req.context);
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
    if (result.category && SENSITIVE.indexOf(result.category) >= 0) return words(dp.key);
    return dp.label || words(dp.key.split(".").pop());
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
    var byId = {};
    results.forEach(function (r) { r.suggestions.forEach(function (s) { byId[s.id] = s; }); });
    var sayNow = (body.say_now || []).map(function (id) { return byId[id]; }).filter(Boolean);
    var more = $("say-now-more"), quietly = $("quietly-list"), hold = $("hold-list"), withhold = $("withhold-list"),
        honest = $("honest-list"), avoid = $("avoid-list");
    [more, quietly, hold, withhold, honest, avoid].forEach(function (n) { n.textContent = ""; });

    var first = sayNow[0];
    if (!first) {
      var neutral = results[0] && results[0].suggestions[0];
      first = neutral || null;
    }
    $("say-now-empty").hidden = !!first;
    $("say-now-main").hidden = !first;
    $("say-now-text").textContent = first ? first.text : "";
    showLine(first, results, req);
    if (!sayNow.length) {
      $("say-now-empty").hidden = false;
      $("say-now-empty").textContent = "Nothing from the records to raise now.";
    }
    sayNow.slice(1).forEach(function (s) { more.appendChild(lineItem(null, s.text)); });

    var level = results[0] ? results[0].receptiveness : null;
    $("tone-note").textContent = level ? ("Tone: " + level.level + (level.estimated ?
      " (estimated" + (level.signals.length ? " from " + level.signals.join(", ") : "") + ")" : "")) : "";

    var counts = { quietly: 0, hold: 0, withhold: 0, honest: 0, avoid: 0 };
    results.forEach(function (r, i) {
      var dp = req.datapoints[i] || { key: "" };
      var name = nameOf(dp, r);
      if (r.decision === "apply_silently") {
        counts.quietly++;
        quietly.appendChild(lineItem(name, r.action || "Apply it quietly.",
          r.suggestions[0] ? el("span", "line-sub", "You might say: " + r.suggestions[0].text) : null));
      } else if (r.decision === "defer") {
        counts.hold++;
        hold.appendChild(lineItem(name, reasonsOf(r)));
      } else if (r.decision === "withhold") {
        counts.withhold++;
        var cat = r.category ? " (" + words(r.category) + ")" : "";
        withhold.appendChild(lineItem(words(dp.key) + cat, reasonsOf(r)));
      } else if (r.suggestions.length && sayNow.indexOf(r.suggestions[0]) < 0) {
        more.appendChild(lineItem(name, r.suggestions[0].text));
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
      fillFromRequest({ datapoints: dps, context: req.context || {} });
      suggest();
    } else if (data.type === "tact:check" && typeof data.text === "string" && data.text.length <= 20000) {
      $("coach-text").value = data.text;
      coach();
    }
  });

  // The URL may carry one or more data points and the context:
  // ?key=policy.auto&value=none&provenance=account_record&channel=phone&stage=wrap_up&issue_resolved=true
  function fromQuery() {
    var q = new URLSearchParams(window.location.search);
    var keys = q.getAll("key");
    if (!keys.length) return false;
    var values = q.getAll("value"), labels = q.getAll("label"), cats = q.getAll("category"),
        provs = q.getAll("provenance"), consents = q.getAll("consent");
    var dps = keys.map(function (k, i) {
      var dp = { key: k, value: values[i] !== undefined ? parseValue(values[i]) : "",
                 provenance: provs[i] || provs[0] || "account_record" };
      if (labels[i]) dp.label = labels[i];
      if (cats[i]) dp.category = cats[i];
      var c = consents[i] !== undefined ? consents[i] : consents[0];
      if (c) dp.consent = c.split(",").filter(Boolean);
      return dp;
    });
    var ctx = {};
    CONTEXT_FIELDS.forEach(function (f) {
      if (!q.has(f)) return;
      var v = q.get(f);
      if (f === "issue_resolved") ctx[f] = v === "" ? null : v === "true";
      else if (f === "do_not_market") ctx[f] = v === "true";
      else if (f === "customer_utterances") ctx[f] = q.getAll(f);
      else ctx[f] = v;
    });
    if (q.has("receptiveness")) ctx.receptiveness = q.get("receptiveness");
    fillFromRequest({ datapoints: dps, context: ctx });
    if (q.has("text")) { $("coach-text").value = q.get("text"); coach(); }
    return true;
  }

  if (!fromQuery()) addRow({ key: "", provenance: "account_record" });
  else suggest();
  document.body.setAttribute("data-ready", "true");
})();
