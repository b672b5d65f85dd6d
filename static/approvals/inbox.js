/* Review Gate live updates, on every signed-in page. Optional: every page works fully without this file.

   - Polls the poll endpoint (#live-updates data-poll-url) every data-poll-seconds (15 s by default): a short GET,
     not server-sent events, which would hold a sync worker per open tab. Slower while the tab is hidden (Page
     Visibility API) and after errors (exponential backoff); stops when the session has ended (401).
   - Keeps the count in the page title, "(3) Inbox · Review Gate", and announces a new count politely (#live-count).
   - On the inbox (data-poll-scope="inbox"), replaces the lists ([data-live-region]) when their fingerprint changed,
     keeping keyboard focus and the scroll position. On a ticket page (scope "ticket"), a change shows a notice.
   - Never loses what the user is typing: while a form field has focus or differs from its default value, nothing
     is replaced and a "New changes — Refresh" notice (#live-notice) shows instead.
   No inline script anywhere (the CSP forbids it): this file reads its settings from data attributes. */
(function () {
  "use strict";

  var MIN_DELAY_MS = 250;
  var MAX_DELAY_MS = 5 * 60 * 1000;
  var HIDDEN_DELAY_MS = 60 * 1000; // at least this while the tab is hidden
  var REQUEST_TIMEOUT_MS = 10 * 1000;
  var POLL_KEYS = ["scope", "since", "fragments", "ticket"];
  var NOT_TYPED = { hidden: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function start(root) {
    var pollUrl = root.dataset.pollUrl;
    var seconds = parseFloat(root.dataset.pollSeconds);
    var base = Math.max(MIN_DELAY_MS, (isFinite(seconds) && seconds > 0 ? seconds : 15) * 1000);
    var scope = root.dataset.pollScope || "";
    var ticket = root.dataset.pollTicket || "";
    var fingerprint = root.dataset.pollFingerprint || "";
    var count = parseInt(root.dataset.waitingCount, 10) || 0;
    var announcer = document.getElementById("live-count");
    var notice = document.getElementById("live-notice");
    var baseTitle = document.title;
    var prefix = "(" + count + ") ";
    if (count > 0 && baseTitle.indexOf(prefix) === 0) {
      baseTitle = baseTitle.slice(prefix.length);
    }
    var failures = 0;
    var timer = null;
    var busy = false;
    var stopped = false;
    var lastPoll = Date.now();

    function delay() {
      var wait = base;
      if (failures > 0) {
        wait = Math.min(MAX_DELAY_MS, base * Math.pow(2, Math.min(failures, 10)));
        wait = wait * (0.8 + Math.random() * 0.4); // jitter: tabs that failed together do not retry together
      }
      if (document.hidden) {
        wait = Math.min(MAX_DELAY_MS, Math.max(wait, base * 4, HIDDEN_DELAY_MS));
      }
      return wait;
    }

    function schedule(wait) {
      if (stopped) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, wait);
    }

    function url(wantFragments) {
      var params = new URLSearchParams(scope === "inbox" ? window.location.search : "");
      POLL_KEYS.forEach(function (key) {
        params.delete(key);
      });
      if (scope) {
        params.set("scope", scope);
        params.set("since", fingerprint);
      }
      if (scope === "ticket") {
        params.set("ticket", ticket);
      }
      if (wantFragments) {
        params.set("fragments", "1");
      }
      var query = params.toString();
      return query ? pollUrl + "?" + query : pollUrl;
    }

    function poll() {
      if (busy || stopped) {
        return;
      }
      busy = true;
      lastPoll = Date.now();
      var controller = window.AbortController ? new AbortController() : null;
      var abort = controller
        ? window.setTimeout(function () {
            controller.abort();
          }, REQUEST_TIMEOUT_MS)
        : null;
      window
        .fetch(url(scope === "inbox" && !hasPendingInput()), {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
          signal: controller ? controller.signal : undefined,
        })
        .then(function (response) {
          if (response.status === 401 || response.status === 403) {
            stopped = true; // signed out (here or in another tab): nothing more to show
            return null;
          }
          if (!response.ok) {
            throw new Error("poll answered HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (data) {
            apply(data);
          }
          failures = 0;
        })
        .catch(function () {
          failures += 1;
        })
        .then(function () {
          window.clearTimeout(abort);
          busy = false;
          schedule(delay());
        });
    }

    function apply(data) {
      if (typeof data.count === "number" && data.count !== count) {
        count = data.count;
        document.title = (count > 0 ? "(" + count + ") " : "") + baseTitle;
        if (announcer && typeof data.count_text === "string") {
          announcer.textContent = data.count_text;
        }
      }
      if (!scope || typeof data.fingerprint !== "string" || data.fingerprint === fingerprint) {
        return;
      }
      // Checked again: the user may have started typing while the request was out.
      if (scope === "inbox" && data.fragments && !hasPendingInput()) {
        replaceRegions(data.fragments);
        fingerprint = data.fingerprint;
        showNotice(false);
      } else {
        showNotice(true);
      }
    }

    function showNotice(show) {
      if (notice) {
        notice.hidden = !show;
      }
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden || busy || stopped) {
        return;
      }
      // Back in view: catch up now if a poll is due, else keep the normal rhythm.
      var since = Date.now() - lastPoll;
      schedule(since >= base ? 0 : base - since);
    });
    schedule(delay());
  }

  /* --- What the user is doing: never replace a form they are filling in ---------------------------------------- */

  function isField(element) {
    if (!element || !element.tagName) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    return tag === "INPUT" && !NOT_TYPED[(element.type || "").toLowerCase()];
  }

  function selectChanged(select) {
    var options = select.options;
    if (select.multiple) {
      for (var i = 0; i < options.length; i += 1) {
        if (options[i].selected !== options[i].defaultSelected) {
          return true;
        }
      }
      return false;
    }
    var initial = options.length ? 0 : -1; // a single select without a default shows its first option
    for (var j = 0; j < options.length; j += 1) {
      if (options[j].defaultSelected) {
        initial = j;
      }
    }
    return select.selectedIndex !== initial;
  }

  function changed(field) {
    if (field.tagName === "SELECT") {
      return selectChanged(field);
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    return field.value !== field.defaultValue;
  }

  function hasPendingInput() {
    if (isField(document.activeElement)) {
      return true;
    }
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      if (isField(fields[i]) && changed(fields[i])) {
        return true;
      }
    }
    return false;
  }

  /* --- Replacing the lists in place ---------------------------------------------------------------------------- */

  // Where focus was, as something that survives the replacement: the element's tag and link, and which of the
  // region's elements with both it was.
  function focusMark(region, element) {
    var href = element.getAttribute("href");
    var same = region.querySelectorAll(element.tagName);
    var nth = 0;
    for (var i = 0; i < same.length; i += 1) {
      if (same[i] === element) {
        break;
      }
      if (same[i].getAttribute("href") === href) {
        nth += 1;
      }
    }
    return { tag: element.tagName, href: href, nth: nth };
  }

  function refocus(region, mark) {
    var same = region.querySelectorAll(mark.tag);
    var seen = 0;
    for (var i = 0; i < same.length; i += 1) {
      if (same[i].getAttribute("href") === mark.href) {
        if (seen === mark.nth) {
          same[i].focus({ preventScroll: true });
          return;
        }
        seen += 1;
      }
    }
    region.focus({ preventScroll: true }); // the row left the list: keep focus here, not back at the page's top
  }

  function replaceRegions(fragments) {
    var x = window.scrollX;
    var y = window.scrollY;
    var active = document.activeElement;
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      var html = fragments[region.dataset.liveRegion];
      if (typeof html !== "string") {
        return;
      }
      var mark = active && active !== region && region.contains(active) ? focusMark(region, active) : null;
      region.innerHTML = html; // rendered and escaped by the server's templates
      if (mark) {
        refocus(region, mark);
      }
    });
    window.scrollTo(x, y);
  }

  function init() {
    var root = document.getElementById("live-updates");
    if (root && root.dataset.pollUrl && window.fetch && window.URLSearchParams) {
      start(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
