/* Feedback events (shown, used, edited, declined) for the agent panel and the cabin.
   Events wait in a queue kept on the device (localStorage), so those made offline survive a reload
   and leave when the network is back. Each has an id made here: the server counts an id once, so a
   resend after a lost answer never doubles it, and an event leaves the queue only once it is stored. */
(function () {
  "use strict";
  var KEY = "tact.feedback.queue";
  var ENDPOINT = document.body.getAttribute("data-feedback") || "/api/v1/feedback";
  var BATCH = 100, FIRST_DELAY = 2000, MAX_DELAY = 60000;
  var current = null, timer = null, delay = FIRST_DELAY;

  function load() {
    try { var q = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(q) ? q : []; }
    catch (e) { return []; }
  }
  function save(q) {
    try { localStorage.setItem(KEY, JSON.stringify(q)); } catch (e) { /* storage full: kept until the page closes */ }
    document.body.setAttribute("data-feedback-pending", String(q.length));
    document.dispatchEvent(new CustomEvent("tact:feedback-pending", { detail: { pending: q.length } }));
  }
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* Queue one event: {conversation_id, topic, suggestion_id, event, reason?, decision?, channel?, industry?, stage?}. */
  function record(fields) {
    if (!fields || !fields.topic || !fields.suggestion_id || !fields.conversation_id || !fields.event) return null;
    var ev = { id: uuid(), at: new Date().toISOString() };
    Object.keys(fields).forEach(function (k) {
      if (fields[k] !== undefined && fields[k] !== null && fields[k] !== "") ev[k] = fields[k];
    });
    var q = load();
    q.push(ev);
    save(q);
    schedule(0);
    return ev.id;
  }
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(flush, ms); }
  function remove(sent) {
    var gone = {};
    sent.forEach(function (e) { gone[e.id] = true; });
    save(load().filter(function (e) { return !gone[e.id]; }));
  }

  /* Send what waits, a batch at a time; resolves when what was queued before the call has had its try
     (stored, or kept to retry later). */
  function flush() {
    if (current) return current.then(flush);
    var q = load();
    if (!q.length || navigator.onLine === false) return Promise.resolve();   // "online" sends them later
    var batch = q.slice(0, BATCH);
    current = fetch(ENDPOINT, { method: "POST", headers: { "Content-Type": "application/json" },
                                body: JSON.stringify({ events: batch }) })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (body) {
          var drop = [];
          if (r.status === 202) drop = batch;
          else if (r.status === 422) {
            // One event the server will never take (say, a phrasing since removed) must not hold the rest.
            var m = body && body.error && /^events\[(\d+)\]/.exec(body.error.field || "");
            drop = m && batch[+m[1]] ? [batch[+m[1]]] : batch;
          } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) drop = batch;
          return drop;
        });
      }, function () { return []; })
      .then(function (drop) {
        current = null;
        if (drop.length) { remove(drop); delay = FIRST_DELAY; } else { delay = Math.min(delay * 2, MAX_DELAY); }
        if (load().length) schedule(drop.length ? 0 : delay);
      });
    return current;
  }

  window.addEventListener("online", function () { delay = FIRST_DELAY; schedule(0); });
  window.TactFeedback = { record: record, flush: flush, uuid: uuid,
                          pending: function () { return load().length; } };
  save(load());
  schedule(300);
})();
