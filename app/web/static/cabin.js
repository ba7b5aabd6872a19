/* Cabin view: a flight's pack (every line for every tone, per passenger) kept on the device,
   a seat map to tap, and a service worker so it all works with the network cut. */
(function () {
  "use strict";
  var STORE = "tact.cabin.pack";
  var body = document.body;
  var level = "medium";
  var pack = null;
  var selected = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }
  function showError(msg) { $("cabin-error").textContent = msg || ""; $("cabin-error").hidden = !msg; }

  /* ---------------------------------------------------------------- network state */
  function netState() {
    var on = navigator.onLine;
    var pill = $("net-status");
    pill.textContent = on ? "Online" : "Offline — using the saved pack";
    pill.className = "pill " + (on ? "net-on" : "net-off");
  }
  window.addEventListener("online", netState);
  window.addEventListener("offline", netState);

  /* ---------------------------------------------------------------- service worker */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: body.getAttribute("data-sw-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () { body.setAttribute("data-sw-ready", "true"); })
      .catch(function () { body.setAttribute("data-sw-ready", "failed"); });
    if (navigator.serviceWorker.controller) body.setAttribute("data-sw-controlled", "true");
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      body.setAttribute("data-sw-controlled", "true");
    });
  }

  /* ---------------------------------------------------------------- pack storage */
  function savePack(p) {
    try { localStorage.setItem(STORE, JSON.stringify(p)); return true; }
    catch (e) { showError("This device could not save the pack (storage full?). It works until the page is closed."); return false; }
  }
  function loadSaved() {
    try { var raw = localStorage.getItem(STORE); return raw ? JSON.parse(raw) : null; }
    catch (e) { return null; }
  }

  function requestPack(manifest) {
    if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) {
      showError("A passenger list is a JSON object with \"flight\" and \"passengers\".");
      return Promise.resolve();
    }
    var req = { flight: manifest.flight, passengers: manifest.passengers };
    if (manifest.date) req.date = manifest.date;
    var ctx = manifest.context && typeof manifest.context === "object" ? Object.assign({}, manifest.context) : {};
    ctx.bystanders = $("bystanders").checked;
    req.context = ctx;
    body.setAttribute("data-state", "loading");
    return fetch(body.getAttribute("data-packs"), { method: "POST", headers: { "Content-Type": "application/json" },
                                                     body: JSON.stringify(req) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) {
          var err = res.body && res.body.error ? res.body.error : {};
          showError((err.field ? err.field + ": " : "") + (err.message || "The pack could not be made."));
          body.setAttribute("data-state", "error");
          return;
        }
        showError("");
        pack = res.body;
        savePack(pack);
        selected = null;
        renderPack();
        body.setAttribute("data-state", "ready");
      })
      .catch(function () {
        showError("No network: the pack can only be made while online. The last saved pack stays in use.");
        body.setAttribute("data-state", "error");
      });
  }

  /* ---------------------------------------------------------------- seat map */
  function parseSeat(seat) {
    var m = /^(\d{1,3})([A-Z])$/.exec(seat);
    return m ? { row: parseInt(m[1], 10), letter: m[2] } : null;
  }
  function renderPack() {
    if (!pack) { $("seat-card").hidden = true; $("passenger-card").hidden = true; return; }
    $("flight-title").textContent = pack.flight + (pack.date ? " · " + pack.date : "");
    var when = pack.generated_at ? new Date(pack.generated_at) : null;
    $("pack-info").textContent = pack.passengers.length + " passengers · pack saved on this device" +
      (when && !isNaN(when) ? " " + when.toLocaleString() : "") + " · works offline";
    var pill = $("bystander-pill");
    pill.textContent = pack.bystanders ? "Others can hear: general lines only" : "Private: bystander mode off";
    pill.className = "pill " + (pack.bystanders ? "on" : "off");

    var seats = {}, rows = [], letters = [];
    pack.passengers.forEach(function (p) {
      var s = parseSeat(p.seat);
      if (!s) return;
      seats[p.seat] = p;
      rows.push(s.row);
      if (letters.indexOf(s.letter) < 0) letters.push(s.letter);
    });
    letters.sort();
    if (letters.length && letters[letters.length - 1] <= "F") {
      letters = "ABCDEF".slice(0, "ABCDEF".indexOf(letters[letters.length - 1]) + 1).split("");
    }
    var aisleAfter = letters.length >= 4 ? Math.ceil(letters.length / 2) - 1 : -1;
    var minRow = Math.min.apply(null, rows), maxRow = Math.max.apply(null, rows);
    var map = $("seatmap");
    map.textContent = "";
    var cols = ["40px"];
    letters.forEach(function (l, i) { cols.push("minmax(64px, 88px)"); if (i === aisleAfter) cols.push("28px"); });
    map.style.gridTemplateColumns = cols.join(" ");
    map.appendChild(el("span", "colhead", ""));
    letters.forEach(function (l, i) {
      map.appendChild(el("span", "colhead", l));
      if (i === aisleAfter) map.appendChild(el("span", "aisle", ""));
    });
    for (var row = minRow; rows.length && row <= maxRow; row++) {
      map.appendChild(el("span", "rowno", String(row)));
      letters.forEach(function (l, i) {
        var id = row + l, p = seats[id];
        if (p) {
          var b = el("button", "seat");
          b.type = "button";
          b.setAttribute("data-seat", id);
          b.setAttribute("aria-pressed", String(selected === id));
          b.setAttribute("aria-label", "Seat " + id + (p.name ? ", " + p.name : ""));
          b.appendChild(document.createTextNode(id));
          if (p.name) b.appendChild(el("small", null, p.name));
          b.addEventListener("click", function () { select(id); });
          map.appendChild(b);
        } else {
          var e = el("span", "seat empty", id);
          e.setAttribute("aria-hidden", "true");
          map.appendChild(e);
        }
        if (i === aisleAfter) map.appendChild(el("span", "aisle", ""));
      });
    }
    $("seat-card").hidden = false;
    if (selected) renderPassenger();
  }

  function select(seat) {
    selected = seat;
    document.querySelectorAll("#seatmap .seat[data-seat]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-seat") === seat));
    });
    renderPassenger();
    $("passenger-card").scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function renderPassenger() {
    var p = null;
    pack.passengers.forEach(function (x) { if (x.seat === selected) p = x; });
    if (!p) { $("passenger-card").hidden = true; return; }
    $("passenger-title").textContent = p.seat + (p.name ? " · " + p.name : "");
    var list = $("passenger-lines");
    list.textContent = "";
    if (!p.lines.length) list.appendChild(el("li", "muted", "Nothing on record for this passenger."));
    p.lines.forEach(function (line) {
      var tone = line.tones[level] || line.tones.medium;
      if (!tone) return;
      var li = el("li");
      var what = line.sensitive ? "Sensitive — not to be raised" : (line.label || line.key || "");
      li.appendChild(el("span", "what", what));
      var reasons = (tone.reasons || []).map(function (r) { return r.message; }).join(" ");
      if ((tone.decision === "ask" || tone.decision === "offer") && pack.declined && pack.declined[p.seat + "|" + line.topic]) {
        li.appendChild(el("span", "hold", "Didn't fit earlier: leave it unless the passenger raises it."));
      } else if (tone.decision === "ask" || tone.decision === "offer") {
        tone.lines.forEach(function (t, i) { li.appendChild(el("span", i === 0 ? "say" : "line-sub", t)); });
        lineFeedback(li, p, line, tone);
      } else if (tone.decision === "apply_silently") {
        li.appendChild(el("span", "quiet", "Do quietly: " + (tone.action || "honour it without mentioning it")));
        tone.lines.forEach(function (t) { li.appendChild(el("span", "say", t)); });
        lineFeedback(li, p, line, tone);
      } else if (tone.decision === "defer") {
        li.appendChild(el("span", "hold", "Not now. " + reasons));
      } else {
        li.appendChild(el("span", "never", "Do not raise. " + (line.sensitive ? "" : reasons)));
      }
      li.setAttribute("data-decision", tone.decision);
      list.appendChild(li);
    });
    $("passenger-card").hidden = false;
  }

  /* ---------------------------------------------------------------- feedback: queued on the device, sent once */
  var REASONS = [["not_relevant", "Not relevant"], ["wrong_moment", "Wrong moment"],
                 ["customer_upset", "Passenger upset"], ["sounds_wrong", "Sounds wrong"], ["other", "Other"]];
  // Kept with the pack on the device: pack.conversations (seat -> a conversation id for this flight),
  // pack.seen ("seat|suggestion id" reported shown) and pack.declined ("seat|topic" that didn't fit).
  function conversationFor(seat) {
    pack.conversations = pack.conversations || {};
    if (!pack.conversations[seat]) { pack.conversations[seat] = "flight-" + TactFeedback.uuid(); savePack(pack); }
    return pack.conversations[seat];
  }
  function report(passenger, line, tone, id, event, reason) {
    TactFeedback.record({ conversation_id: conversationFor(passenger.seat), topic: line.topic, suggestion_id: id,
                          event: event, reason: reason, decision: tone.decision, channel: "cabin",
                          industry: "airline" });
  }
  function lineFeedback(li, passenger, line, tone) {
    var id = tone.ids && tone.ids[0];
    if (!id || !line.topic) return;
    pack.seen = pack.seen || {};
    var key = passenger.seat + "|" + id;
    if (!pack.seen[key]) { pack.seen[key] = true; savePack(pack); report(passenger, line, tone, id, "shown"); }
    var actions = el("div", "line-actions");
    var used = el("button", "secondary", "Used it");
    used.type = "button";
    var nope = el("button", "secondary", "Didn't fit");
    nope.type = "button";
    used.addEventListener("click", function () {
      report(passenger, line, tone, id, "used");
      actions.textContent = "";
      actions.appendChild(el("span", "noted", "Noted"));
    });
    nope.addEventListener("click", function () {
      actions.textContent = "";
      var group = el("div", "line-actions");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Why didn't it fit?");
      REASONS.forEach(function (r) {
        var b = el("button", "secondary", r[1]);
        b.type = "button";
        b.setAttribute("data-reason", r[0]);
        b.addEventListener("click", function () {
          report(passenger, line, tone, id, "declined", r[0]);
          pack.declined = pack.declined || {};
          pack.declined[passenger.seat + "|" + line.topic] = true;   // the pack is offline: remember it here
          savePack(pack);
          actions.textContent = "";
          actions.appendChild(el("span", "noted", "Noted: not again for this passenger"));
        });
        group.appendChild(b);
      });
      actions.appendChild(group);
      group.firstChild.focus();
    });
    actions.appendChild(used);
    actions.appendChild(nope);
    li.appendChild(actions);
  }
  function showPending(n) {
    var pill = $("feedback-pill");
    pill.hidden = !n;
    pill.textContent = n + (n === 1 ? " note waits" : " notes wait") + " to be sent";
  }
  document.addEventListener("tact:feedback-pending", function (e) { showPending(e.detail.pending); });
  showPending(TactFeedback.pending());

  /* ---------------------------------------------------------------- controls */
  document.querySelectorAll(".cabin-tones button").forEach(function (b) {
    b.addEventListener("click", function () {
      level = b.getAttribute("data-level");
      document.querySelectorAll(".cabin-tones button").forEach(function (x) {
        x.setAttribute("aria-pressed", String(x === b));
      });
      if (pack && selected) renderPassenger();
    });
  });
  $("load-demo").addEventListener("click", function () {
    fetch(body.getAttribute("data-demo")).then(function (r) { return r.json(); })
      .then(requestPack)
      .catch(function () { showError("The demo flight could not be read."); });
  });
  $("load-file").addEventListener("change", function (e) {
    var file = e.target.files && e.target.files[0];
    if (!file) return;
    file.text().then(function (text) {
      var data;
      try { data = JSON.parse(text); } catch (err) { showError("That file is not JSON: " + err.message); return; }
      requestPack(data);
    });
  });
  $("load-paste").addEventListener("click", function () {
    var data;
    try { data = JSON.parse($("paste").value); } catch (err) { showError("That is not JSON: " + err.message); return; }
    requestPack(data);
  });
  $("close-passenger").addEventListener("click", function () {
    var seat = selected;
    selected = null;
    $("passenger-card").hidden = true;
    document.querySelectorAll("#seatmap .seat[data-seat]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    var back = document.querySelector("#seatmap .seat[data-seat='" + seat + "']");
    if (back) back.focus();
  });
  $("clear-pack").addEventListener("click", function () {
    try { localStorage.removeItem(STORE); } catch (e) { /* nothing saved */ }
    pack = null; selected = null;
    $("flight-title").textContent = "No flight loaded";
    $("pack-info").textContent = "Load the flight's pack before boarding; it then works with no network.";
    renderPack();
  });

  netState();
  pack = loadSaved();
  if (pack && pack.passengers) { renderPack(); body.setAttribute("data-state", "ready"); }
  body.setAttribute("data-ready", "true");
})();
