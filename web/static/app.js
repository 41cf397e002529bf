// Assay dashboard: the little that needs a script. Pages work without it;
// the countdown, the copy button and live updates are conveniences.
(function () {
  "use strict";

  // Countdown to a candidate's deadline, updated each second.
  function tick(el) {
    var left = Date.parse(el.dataset.deadline) - Date.now();
    if (isNaN(left)) return;
    if (left <= 0) { el.textContent = "(deadline passed)"; return; }
    var s = Math.floor(left / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    el.textContent = "(" + (d ? d + " d " : "") + h + " h " + m + " min " + (s % 60) + " s left)";
  }
  function countdowns() {
    document.querySelectorAll("[data-deadline]").forEach(tick);
  }

  // Copy an invite link or a secret; falls back to selecting it for Ctrl+C.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (!btn) return;
    var field = document.getElementById(btn.dataset.copy);
    field.select();
    var label = btn.dataset.label || (btn.dataset.label = btn.textContent);
    var done = function () { btn.textContent = "Copied"; setTimeout(function () { btn.textContent = label; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // Live blocks (data-events): one EventSource per submission; each status
  // change makes the block fetch itself again (its hx-trigger has "status").
  // The block is replaced by each fetch, so the event goes to whichever
  // element has the URL now. "done" ends the stream after the final status.
  var streams = {};
  function listen() {
    document.querySelectorAll("[data-events]").forEach(function (el) {
      var url = el.dataset.events;
      if (streams[url] || !window.EventSource) return;
      var source = new EventSource(url);
      streams[url] = source;
      var pending;
      var refresh = function () { // once for a burst (the history comes at once)
        clearTimeout(pending);
        pending = setTimeout(function () {
          var block = document.querySelector('[data-events="' + url + '"]');
          if (block) htmx.trigger(block, "status");
        }, 100);
      };
      source.addEventListener("status", refresh);
      source.addEventListener("done", function () { source.close(); refresh(); });
    });
  }

  // A link to a check (an interview's follow-up) opens that check's evidence.
  function openLinkedCheck() {
    var el = location.hash.indexOf("#check-") === 0 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var details = el && el.querySelector("details");
    if (details) { details.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openLinkedCheck);

  // A fragment's link on a similarity pair page (#a-f3) brings its lines
  // into view in the submission's pane; this scrolls the other file's pane
  // (#b-f3) to its side of the fragment too. Without it, the other side has
  // a link of its own.
  function alignFragment() {
    var m = /^#a-f(\d+)$/.exec(location.hash);
    var el = m && document.getElementById("b-f" + m[1]);
    var pane = el && el.closest(".pane");
    if (pane) pane.scrollTop += el.closest("tr").getBoundingClientRect().top - pane.getBoundingClientRect().top - 40;
  }
  window.addEventListener("hashchange", alignFragment);

  document.addEventListener("DOMContentLoaded", function () {
    openLinkedCheck();
    alignFragment();
    countdowns();
    setInterval(countdowns, 1000);
    listen();
  });
})();
