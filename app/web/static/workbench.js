/* The studio's working pages: drafts, the topic editor (form or raw YAML, live preview and lint marks),
   review, publish and history. Every change goes through /api/v1/studio/ with the session's CSRF token. */
(function () {
  "use strict";
  var API = "/api/v1/studio";
  var LEVELS = ["low", "medium", "high"];
  var DEFAULT_TONE = {low: "brief", medium: "neutral", high: "warm"};
  var body = document.body;
  var draftId = body.dataset.draft;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function $(id) { return document.getElementById(id); }

  function api(method, path, data) {
    var options = {method: method, headers: {"X-CSRF-Token": csrf, "Accept": "application/json"},
                   credentials: "same-origin"};
    if (data !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    return fetch(API + path, options).then(function (response) {
      if (response.status === 204) { return {ok: true, status: 204, data: null}; }
      return response.json().then(function (json) {
        return {ok: response.ok, status: response.status, data: json};
      }, function () { return {ok: false, status: response.status, data: {error: {message: "unexpected answer"}}}; });
    }, function () { return {ok: false, status: 0, data: {error: {message: "the server cannot be reached"}}}; });
  }

  function say(id, text, bad) {
    var el = $(id);
    if (!el) { return; }
    el.textContent = text;
    el.classList.toggle("error", !!bad);
  }

  function message(result) {
    var error = (result.data || {}).error || {};
    return error.message || ("failed (" + result.status + ")");
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "dataset") { Object.assign(node.dataset, attrs[key]); }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function showProblems(listId, result) {
    var list = $(listId);
    if (!list) { return; }
    var v = (result.data || {}).validation;
    list.textContent = "";
    if (!v) { list.hidden = true; return; }
    v.problems.filter(function (p) { return p.severity === "error"; }).forEach(function (p) {
      list.appendChild(el("li", {"class": "problem sev-error"}, [el("span", {"class": "where", text: p.where}),
        document.createTextNode(": " + p.message)]));
    });
    v.tests.failures.forEach(function (f) {
      list.appendChild(el("li", {"class": "problem sev-error"}, [el("span", {"class": "where", text: f.where}),
        document.createTextNode(": test \u201c" + f.name + "\u201d of " + f.topic + " fails: " + f.problems.join("; "))]));
    });
    list.hidden = !list.children.length;
  }

  // ------------------------------------------------------------ drafts list and draft page
  var newDraft = $("new-draft");
  if (newDraft) {
    newDraft.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/drafts", {title: $("draft-title").value}).then(function (r) {
        if (r.ok) { location.href = "/studio/drafts/" + r.data.id; } else { say("new-status", message(r), true); }
      });
    });
  }

  var filter = $("topic-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll("#topic-list li").forEach(function (li) {
        li.hidden = q && li.dataset.search.indexOf(q) < 0;
      });
    });
  }

  var newTopic = $("new-topic");
  if (newTopic) {
    newTopic.addEventListener("submit", function (event) {
      event.preventDefault();
      var id = $("new-id").value.trim(), from = $("new-from").value, file = $("new-file").value;
      var payload = from ? {copy_of: from, new_id: id, file: file} : {file: file, topic: blankTopic(id)};
      api("POST", "/drafts/" + draftId + "/topics", payload).then(function (r) {
        if (r.ok) { location.href = "/studio/drafts/" + draftId + "/topics/" + encodeURIComponent(r.data.id); }
        else { say("new-topic-status", message(r), true); }
      });
    });
  }

  function blankTopic(id) {
    return {id: id, title: "", keys: ["example.key"], category: "product_holding", purpose: "service",
            decision: "ask", phrasings: {low: [{tone: "brief", text: "Anything else I can help with today?"}],
                                         medium: [{tone: "neutral", text: "Would it help to look at that together?"}],
                                         high: [{tone: "warm", text: "While I have you, is there anything else you'd like to sort out today?"}]},
            honest_answer: "We can see what you hold with us, and that's all."};
  }

  document.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = $("step-comment") || $("review-comment");
      api("POST", "/drafts/" + draftId + "/" + button.dataset.step.replace("_", "-"),
          {comment: box ? box.value : ""}).then(function (r) {
        if (r.ok) { say("step-status", "Done: the draft is now " + r.data.status.replace("_", " ") + "."); location.reload(); }
        else { say("step-status", message(r), true); }
      });
    });
  });

  function addComment(text) {
    return api("POST", "/drafts/" + draftId + "/comments", {body: text});
  }
  var commentForm = $("comment-form");
  if (commentForm) {
    commentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      addComment($("comment-body").value).then(function (r) {
        if (r.ok) { location.reload(); } else { say("step-status", message(r), true); }
      });
    });
  }
  var commentButton = document.querySelector("[data-comment]");
  if (commentButton) {
    commentButton.addEventListener("click", function () {
      addComment($("review-comment").value).then(function (r) {
        if (r.ok) { location.reload(); } else { say("step-status", message(r), true); }
      });
    });
  }

  var publishForm = $("publish-form");
  if (publishForm) {
    publishForm.addEventListener("submit", function (event) {
      event.preventDefault();
      say("step-status", "Checking the whole set and publishing\u2026");
      api("POST", "/drafts/" + draftId + "/publish", {why: $("publish-why").value}).then(function (r) {
        if (r.ok) {
          say("step-status", "Published as #" + r.data.id + "; the live set is now version " + r.data.version_after + ".");
          location.href = "/studio/history/" + r.data.id;
        } else { say("step-status", message(r), true); showProblems("publish-errors", r); }
      });
    });
  }

  var revertForm = $("revert-form");
  if (revertForm) {
    revertForm.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/history/" + revertForm.dataset.entry + "/revert", {why: $("revert-why").value}).then(function (r) {
        if (r.ok) { location.href = "/studio/history/" + r.data.id; }
        else { say("step-status", message(r), true); showProblems("publish-errors", r); }
      });
    });
  }

  // ------------------------------------------------------------ the topic editor
  var stateNode = $("topic-state");
  if (!stateNode) { return; }
  var state = JSON.parse(stateNode.textContent);
  var topicId = body.dataset.topic;
  var editable = body.dataset.editable === "true";
  var form = $("topic-form");
  var mode = "form";
  var dirty = false;
  var timer = null;
  var sequence = 0;

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function field(label, path, value, multiline, help) {
    var id = "f-" + path.replace(/[^\w-]/g, "-");
    var input = multiline ? el("textarea", {id: id, rows: multiline}) : el("input", {id: id});
    input.value = value == null ? "" : value;
    input.dataset.field = path;
    if (!editable) { input.readOnly = true; }
    var wrap = el("div", {"class": "field", dataset: {field: path}}, [el("label", {"for": id, text: label}), input]);
    if (help) { wrap.appendChild(el("p", {"class": "hint small", text: help})); }
    wrap.appendChild(el("p", {"class": "field-problem", id: id + "-problem", hidden: ""}));
    return wrap;
  }

  function button(text, onClick) {
    var b = el("button", {type: "button", "class": "secondary small-button", text: text});
    if (!editable) { b.disabled = true; }
    b.addEventListener("click", onClick);
    return b;
  }

  function asPhrasing(item, level) {
    return typeof item === "string" ? {text: item, tone: DEFAULT_TONE[level], plain: true} : Object.assign({}, item);
  }

  // A value is shown as typed when that reads back the same; anything else (lists, numbers kept as text,
  // text with commas inside a list) as JSON, so the form never changes what it did not edit.
  var LOOKS_TYPED = /^(\[|\{|"|-?\d|true$|false$|null$)/;
  function show(v) {
    if (typeof v === "string" && v && v.trim() === v && v.indexOf("\n") < 0 && !LOOKS_TYPED.test(v)) { return v; }
    return JSON.stringify(v);
  }
  function pairsText(obj) {
    return Object.keys(obj || {}).map(function (k) { return k + ": " + show(obj[k]); }).join("\n");
  }

  function parseJSON(raw) {
    try { return JSON.parse(raw); } catch (e) { return undefined; }
  }

  function parsePairs(text) {
    var out = {};
    text.split("\n").forEach(function (line) {
      var at = line.indexOf(":");
      if (at < 1) { return; }
      var key = line.slice(0, at).trim(), raw = line.slice(at + 1).trim(), value;
      var parsed;
      if (raw === "") { value = null; }
      else if (LOOKS_TYPED.test(raw) && (parsed = parseJSON(raw)) !== undefined) { value = parsed; }
      else if (/^\[.*\]$/.test(raw)) { value = raw.slice(1, -1).split(",").map(function (s) { return s.trim(); }).filter(Boolean); }
      else { value = raw.replace(/^["']|["']$/g, ""); }
      out[key] = value;
    });
    return out;
  }

  function renderForm(topic) {
    form.textContent = "";
    form.appendChild(field("Title", "title", topic.title, 0));
    form.appendChild(field("When this topic applies (condition)", "match", topic.match, 0,
                           "An expression such as value in ['none', 'no']; leave empty to always apply."));
    ["phrasings", "bystander"].forEach(function (group) {
      if (group === "bystander" && !topic.bystander) { return; }
      var box = el("fieldset", {"class": "group", dataset: {group: group}},
                   [el("legend", {text: group === "phrasings" ? "Phrasings by receptiveness" : "Bystander phrasings (others can hear)"})]);
      LEVELS.forEach(function (level) {
        var items = ((topic[group] || {})[level] || []).map(function (item) { return asPhrasing(item, level); });
        var set = el("fieldset", {"class": "level", dataset: {level: level}}, [el("legend", {text: level + " receptiveness"})]);
        items.forEach(function (p, i) {
          var path = group + "." + level + "." + i;
          var row = el("div", {"class": "phrasing", dataset: {path: path, plain: p.plain ? "1" : ""}}, [
            field("Tone", path + ".tone", p.tone, 0),
            field("Line (" + level + ", " + (i + 1) + ")", path + ".text", p.text, 2),
            field("Spoken only (optional)", path + ".spoken", p.spoken, 1),
            field("Written only (optional)", path + ".written", p.written, 1),
            field("Where it fits (channel, stage, industry, relationship, resolved, state ...: one a line)",
                  path + ".fits", pairsText(p.fits), 1)]);
          row.appendChild(button("Remove this line", function () { edit(function (t) { t[group][level].splice(i, 1); }); }));
          set.appendChild(row);
        });
        set.appendChild(button("Add a " + level + " line", function () {
          edit(function (t) { t[group] = t[group] || {}; (t[group][level] = t[group][level] || []).push({tone: DEFAULT_TONE[level], text: ""}); });
        }));
        box.appendChild(set);
      });
      form.appendChild(box);
    });
    ["action", "confirm"].forEach(function (name) {
      if (Array.isArray(topic[name])) {   // several confirmation lines, some with conditions: the raw YAML view
        form.appendChild(el("p", {"class": "muted", text: "Confirmation lines: several, edit them in the raw YAML view."}));
      } else if (topic[name] != null || topic.decision === "apply_silently") {
        form.appendChild(field(name === "action" ? "Quiet action (what staff do)" : "Confirmation line", name, topic[name], 2));
      }
    });
    form.appendChild(field("Avoid (lines that must never be said), one a line", "avoid", (topic.avoid || []).join("\n"), 4));
    form.appendChild(field("Honest answer to \u201chow do you know that?\u201d", "honest_answer", topic.honest_answer, 2));
    var rules = el("fieldset", {"class": "group"}, [el("legend", {text: "Rules"})]);
    (topic.rules || []).forEach(function (r, i) {
      var path = "rules." + i;
      var row = el("div", {"class": "rule-row", dataset: {path: path}}, [
        field("Rule id", path + ".id", r.id, 0), field("When", path + ".when", r.when, 0),
        field("Decision", path + ".decision", r.decision, 0), field("Reason shown to staff", path + ".message", r.message, 1)]);
      row.appendChild(button("Remove rule", function () { edit(function (t) { t.rules.splice(i, 1); }); }));
      rules.appendChild(row);
    });
    rules.appendChild(button("Add a rule", function () {
      edit(function (t) { (t.rules = t.rules || []).push({id: "", when: "", decision: "defer", message: ""}); });
    }));
    form.appendChild(rules);
    var tests = el("fieldset", {"class": "group"}, [el("legend", {text: "Test cases"})]);
    (topic.tests || []).forEach(function (c, i) {
      var path = "tests." + i;
      var row = el("div", {"class": "test-row", dataset: {path: path}}, [
        field("Test name", path + ".name", c.name, 0),
        field("Data point (key: value, one a line)", path + ".datapoint", pairsText(c.datapoint), 2),
        field("Context (key: value, one a line)", path + ".context", pairsText(c.context), 3),
        field("Expect (decision, says, never_says, rules ...)", path + ".expect", pairsText(c.expect), 2)]);
      row.appendChild(button("Remove test", function () { edit(function (t) { t.tests.splice(i, 1); }); }));
      tests.appendChild(row);
    });
    tests.appendChild(button("Add a test case", function () {
      edit(function (t) { (t.tests = t.tests || []).push({name: "", datapoint: {}, context: {channel: "phone"}, expect: {decision: "ask"}}); });
    }));
    form.appendChild(tests);
  }

  function value(path) {
    var input = form.querySelector('[data-field="' + path + '"]:is(input, textarea)');
    return input ? input.value : undefined;
  }

  function setOrDrop(topic, key, text) {
    if (text === undefined) { return; }
    if (text.trim() === "") { delete topic[key]; } else { topic[key] = text; }
  }

  // The topic as the form now has it: the original with every field the form shows replaced.
  function readForm() {
    var original = state.topic;
    var topic = clone(original);
    ["title", "match", "action", "confirm", "honest_answer"].forEach(function (key) { setOrDrop(topic, key, value(key)); });
    var avoid = value("avoid");
    if (avoid !== undefined) {
      var lines = avoid.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      if (lines.length || original.avoid) { topic.avoid = lines; } else { delete topic.avoid; }
    }
    form.querySelectorAll("fieldset.group[data-group]").forEach(function (box) {
      var group = box.dataset.group, out = {};
      box.querySelectorAll("fieldset.level").forEach(function (set) {
        var level = set.dataset.level;
        var items = [];
        set.querySelectorAll(".phrasing").forEach(function (row, i) {
          var path = row.dataset.path;
          // Start from the line as it was, so keys the form does not show stay as they were.
          var before = ((original[group] || {})[level] || [])[i];
          var p = Object.assign(typeof before === "object" && before ? clone(before) : {},
                                {tone: value(path + ".tone").trim(), text: value(path + ".text")});
          ["spoken", "written"].forEach(function (k) { var v = value(path + "." + k); if (v.trim()) { p[k] = v; } else { delete p[k]; } });
          var fits = parsePairs(value(path + ".fits") || "");
          if (Object.keys(fits).length) { p.fits = fits; } else { delete p.fits; }
          var plain = row.dataset.plain && (!p.tone || p.tone === DEFAULT_TONE[level]) && !p.spoken && !p.written && !p.fits;
          items.push(plain ? p.text : p);
        });
        if (items.length) { out[level] = items; }
      });
      topic[group] = out;
    });
    form.querySelectorAll(".rule-row").forEach(function (row, i) {
      var path = row.dataset.path;
      topic.rules[i] = {id: value(path + ".id"), when: value(path + ".when"), decision: value(path + ".decision"),
                        message: value(path + ".message")};
    });
    form.querySelectorAll(".test-row").forEach(function (row, i) {
      var path = row.dataset.path;
      var c = {name: value(path + ".name")};
      var dp = parsePairs(value(path + ".datapoint")), ctx = parsePairs(value(path + ".context"));
      if (Object.keys(dp).length) { c.datapoint = dp; }
      if (Object.keys(ctx).length) { c.context = ctx; }
      c.expect = parsePairs(value(path + ".expect"));
      topic.tests[i] = c;
    });
    return topic;
  }

  function edit(change) {
    var topic = readForm();
    change(topic);
    state.topic = topic;
    renderForm(topic);
    changed();
  }

  function payload() {
    return mode === "yaml" ? {yaml: $("yaml-text").value} : {topic: readForm()};
  }

  function changed() {
    dirty = true;
    say("save-status", "Unsaved changes");
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  function mark(root, text, findings) {
    root.textContent = "";
    var at = 0;
    findings.slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (f) {
      if (f.start < at) { return; }
      root.appendChild(document.createTextNode(text.slice(at, f.start)));
      root.appendChild(el("mark", {title: f.message, text: text.slice(f.start, f.end)}));
      at = f.end;
    });
    root.appendChild(document.createTextNode(text.slice(at)));
  }

  function showPreview(data) {
    var box = $("preview");
    box.textContent = "";
    var table = el("table", {"class": "preview-table"}, [el("caption", {"class": "visually-hidden", text: "Every phrasing rendered"}),
      el("thead", {}, [el("tr", {}, [el("th", {scope: "col", text: "Line"}), el("th", {scope: "col", text: "Spoken (phone, in person)"}),
                                     el("th", {scope: "col", text: "Written (chat, email)"})])])]);
    var tbody = el("tbody");
    data.variants.forEach(function (v) {
      var row = el("tr", {dataset: {field: v.field}}, [el("th", {scope: "row",
        text: (v.group === "bystander" ? "bystander \u00b7 " : "") + v.level + " " + (v.index + 1) + " \u00b7 " + v.tone})]);
      ["spoken", "written"].forEach(function (m) {
        var cell = el("td", {"class": "rendered"});
        var c = v[m];
        if (c.error) { cell.appendChild(el("span", {"class": "error", text: c.error})); }
        else { var span = el("span"); mark(span, c.text, c.findings); cell.appendChild(span); }
        row.appendChild(cell);
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    box.appendChild(table);
    data.extras.forEach(function (x) {
      box.appendChild(el("p", {}, [el("strong", {text: x.field.replace("_", " ") + ": "}),
                                   document.createTextNode(x.error || x.text)]));
    });
  }

  function showLint(problems) {
    var list = $("lint-list");
    list.textContent = "";
    form.querySelectorAll(".has-problem").forEach(function (n) { n.classList.remove("has-problem"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); });
    form.querySelectorAll(".field-problem").forEach(function (n) { n.hidden = true; n.textContent = ""; });
    var errors = 0;
    problems.forEach(function (p) {
      if (p.severity === "error") { errors += 1; }
      list.appendChild(el("li", {"class": "problem sev-" + p.severity}, [el("span", {"class": "badge " + p.severity, text: p.severity}),
        document.createTextNode(" " + (p.field ? p.field + ": " : "") + p.message)]));
      if (!p.field || mode !== "form") { return; }
      var parts = p.field.split("."), input = null;
      while (parts.length && !input) {
        input = form.querySelector('[data-field="' + parts.join(".") + '"]:is(input, textarea)') ||
                form.querySelector('[data-field="' + parts.join(".") + '.text"]:is(input, textarea)');
        parts.pop();
      }
      if (!input) { return; }
      var note = $(input.id + "-problem");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.parentNode.classList.add("has-problem");
      note.hidden = false;
      note.textContent = (note.textContent ? note.textContent + "\n" : "") + p.severity + ": " + p.message;
    });
    var warnings = problems.length - errors;
    $("lint-summary").textContent = problems.length ? errors + " error" + (errors === 1 ? "" : "s") + ", " +
      warnings + " warning" + (warnings === 1 ? "" : "s") : "No problems found.";
    $("lint-summary").className = errors ? "error" : "outcome-pass";
  }

  function refresh() {
    var mine = ++sequence;
    api("POST", "/preview", payload()).then(function (r) {
      if (mine !== sequence) { return; }
      if (!r.ok) { $("lint-summary").textContent = message(r); $("lint-summary").className = "error"; return; }
      showPreview(r.data);
      showLint(r.data.problems);
    });
  }

  function setMode(next) {
    if (next === mode) { return; }
    if (next === "yaml" && dirty) {
      api("POST", "/preview", {topic: readForm(), want_yaml: true}).then(function (r) { if (r.ok) { $("yaml-text").value = r.data.yaml; } });
    }
    if (next === "form") {
      api("POST", "/preview", {yaml: $("yaml-text").value, want_yaml: false}).then(function (r) {
        if (r.ok) { state.topic = r.data.topic; renderForm(state.topic); showLint(r.data.problems); }
        else { say("save-status", message(r), true); mode = "yaml"; apply(); }
      });
    }
    mode = next;
    apply();
  }

  function apply() {
    form.hidden = mode !== "form";
    $("yaml-pane").hidden = mode !== "yaml";
    $("mode-form").setAttribute("aria-pressed", String(mode === "form"));
    $("mode-yaml").setAttribute("aria-pressed", String(mode === "yaml"));
  }

  function save(version) {
    say("save-status", "Saving\u2026");
    api("PUT", "/drafts/" + draftId + "/topics/" + encodeURIComponent(topicId),
        Object.assign({version: version}, payload())).then(function (r) {
      if (r.ok) {
        state = r.data; dirty = false;
        $("topic-version").textContent = state.version;
        $("conflict").hidden = true;
        say("save-status", "Saved to the draft (version " + state.version + ").");
        $("yaml-text").value = state.yaml;
        return;
      }
      if (r.status === 409 && r.data.current) {
        conflict = r.data.current;
        $("conflict-message").textContent = message(r);
        $("conflict-theirs").textContent = conflict.yaml;
        $("conflict").hidden = false;
        say("save-status", "Not saved: someone else saved this topic first.", true);
        $("conflict").scrollIntoView({block: "nearest"});
        return;
      }
      say("save-status", "Not saved: " + message(r), true);
    });
  }

  var conflict = null;
  $("save").addEventListener("click", function () { save(state.version); });
  $("conflict-keep").addEventListener("click", function () { if (conflict) { save(conflict.version); } });
  $("conflict-load").addEventListener("click", function () {
    if (!conflict) { return; }
    state = conflict; conflict = null; dirty = false;
    renderForm(state.topic); $("yaml-text").value = state.yaml;
    $("topic-version").textContent = state.version;
    $("conflict").hidden = true;
    say("save-status", "Loaded their version " + state.version + ".");
    refresh();
  });
  $("remove-topic").addEventListener("click", function () {
    if (!window.confirm("Remove " + topicId + " from this draft? It stays live until the draft is published.")) { return; }
    api("DELETE", "/drafts/" + draftId + "/topics/" + encodeURIComponent(topicId), {version: state.version}).then(function (r) {
      if (r.ok) { dirty = false; location.href = "/studio/drafts/" + draftId; }
      else { say("save-status", "Not removed: " + message(r), true); }
    });
  });
  $("mode-form").addEventListener("click", function () { setMode("form"); });
  $("mode-yaml").addEventListener("click", function () { setMode("yaml"); });
  form.addEventListener("input", changed);
  $("yaml-text").addEventListener("input", changed);
  window.addEventListener("beforeunload", function (event) { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
  renderForm(state.topic);
  apply();
  refresh();
})();
