// Enishi's own small script. Every page works without it; it only adds
// conveniences on top of server-rendered HTML.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // <form data-confirm="…">: ask before a destructive submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
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

  // <textarea data-mentions="/api/v1/n/…/people/suggest">: typing @ and a
  // few letters offers the people the writer may see; choosing one writes
  // a link to their profile ([@name](/n/…/people/id)), which the server
  // reads as a mention. Without the script, such a link can be typed.
  document.querySelectorAll("textarea[data-mentions]").forEach(function (area) {
    var url = area.getAttribute("data-mentions");
    var box = document.createElement("ul");
    box.className = "mention-box";
    box.id = area.id + "-mentions";
    box.setAttribute("role", "listbox");
    box.hidden = true;
    area.parentNode.insertBefore(box, area.nextSibling);
    area.setAttribute("aria-controls", box.id);
    area.setAttribute("aria-autocomplete", "list");
    var timer = null;
    var active = -1;
    var items = [];
    var query = function () {
      var before = area.value.slice(0, area.selectionStart);
      // @ or ＠ (a Japanese keyboard's), not inside an e-mail address
      var m = /(^|[^A-Za-z0-9._%+-])[@＠]([^\s@＠\[\]()]{1,20})$/.exec(before);
      return m ? { text: m[2], start: before.length - m[2].length - 1 } : null;
    };
    var close = function () { box.hidden = true; active = -1; items = []; area.removeAttribute("aria-activedescendant"); };
    var mark = function () {
      box.querySelectorAll("li").forEach(function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) area.setAttribute("aria-activedescendant", box.id + "-" + active);
    };
    var choose = function (i) {
      var q = query();
      if (!q || !items[i]) return close();
      var person = items[i];
      var link = "[@" + person.name.replace(/[\[\]]/g, "") + "](" + person.href + ") ";
      area.value = area.value.slice(0, q.start) + link + area.value.slice(area.selectionStart);
      var caret = q.start + link.length;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    };
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = query();
      if (!q) return close();
      timer = window.setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q.text), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (people) {
            items = people || [];
            box.innerHTML = "";
            items.forEach(function (p, i) {
              var li = document.createElement("li");
              li.id = box.id + "-" + i;
              li.setAttribute("role", "option");
              li.textContent = p.name;
              if (p.detail) {
                var detail = document.createElement("span");
                detail.className = "mention-detail";
                detail.textContent = p.detail;
                li.appendChild(detail);
              }
              li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
              box.appendChild(li);
            });
            active = items.length ? 0 : -1;
            box.hidden = items.length === 0;
            mark();
          })
          .catch(close);
      }, 200);
    });
    area.addEventListener("keydown", function (e) {
      if (box.hidden) return;
      if (e.key === "ArrowDown") { active = (active + 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active + items.length - 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "Enter" || e.key === "Tab") { if (active >= 0) { choose(active); e.preventDefault(); } }
      else if (e.key === "Escape") { close(); }
    });
    area.addEventListener("blur", function () { window.setTimeout(close, 150); });
  });

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
