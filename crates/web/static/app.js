// Enishi's own small script. Every page works without it; it only adds
// conveniences on top of server-rendered HTML.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // <form data-confirm="…">: ask before a destructive submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Prevent double submission of the same form.
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    window.setTimeout(function () { delete form.dataset.submitted; }, 4000);
  });

  // <time datetime="…" data-local>: show instants in the viewer's own zone.
  function localiseTimes(root) {
    var lang = document.documentElement.lang || "ja";
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      el.textContent = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    });
  }
  localiseTimes(document);

  // <p class="new-posts" data-newer="…">: once a minute, ask how many posts
  // are newer than the newest on the page, and offer to load them.
  var hint = document.querySelector(".new-posts[data-newer]");
  if (hint && window.fetch) {
    var check = function () {
      fetch(hint.getAttribute("data-newer"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (body && body.count > 0) {
            hint.querySelector("a").textContent = hint.getAttribute("data-label") + " (" + body.count + ")";
            hint.hidden = false;
          }
        })
        .catch(function () {});
    };
    window.setInterval(check, 60000);
  }

  // Live updates (GET /live, server-sent events). The event says only that
  // something arrived; an open conversation then asks for the messages
  // after the last one it shows, and elsewhere the header's count goes up.
  // On every (re)connection the conversation catches up the same way.
  var unread = document.querySelector("[data-unread-messages]");
  var convo = document.querySelector("[data-live-conversation]");
  if (unread && window.EventSource && window.fetch) {
    var source = new EventSource("/live");
    // close it when leaving the page: browsers keep few connections per
    // site, and a stream left open would hold one
    window.addEventListener("pagehide", function () { source.close(); });
    var fetching = false;
    var catchUp = function () {
      if (!convo || fetching) return;
      fetching = true;
      var url = convo.getAttribute("data-since") + "?after=" + encodeURIComponent(convo.getAttribute("data-last") || "0");
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          fetching = false;
          if (!html.trim()) return;
          var t = document.createElement("template");
          t.innerHTML = html;
          t.content.querySelectorAll("li.message").forEach(function (li) {
            if (document.getElementById(li.id)) return;
            convo.appendChild(li);
            convo.setAttribute("data-last", li.getAttribute("data-id"));
          });
          localiseTimes(convo);
          var empty = document.querySelector(".messages + .notice");
          if (empty) empty.hidden = true;
        })
        .catch(function () { fetching = false; });
    };
    source.addEventListener("message", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { /* ignored */ }
      if (convo && String(data.conversation) === convo.getAttribute("data-live-conversation")) {
        catchUp();
      } else {
        unread.textContent = String((parseInt(unread.textContent, 10) || 0) + 1);
        unread.hidden = false;
      }
    });
    var bell = document.querySelector("[data-unread-notifications]");
    source.addEventListener("notification", function () {
      if (!bell) return;
      bell.textContent = String((parseInt(bell.textContent, 10) || 0) + 1);
      bell.hidden = false;
    });
    source.addEventListener("ready", catchUp);
    source.addEventListener("resync", catchUp);
  }
})();
