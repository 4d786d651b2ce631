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
})();
