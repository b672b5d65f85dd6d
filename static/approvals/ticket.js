/* Review Gate ticket page: the sticky decision bar, keyboard shortcuts, and line comments. Optional: without it the
   bar's links jump to the decision form, the comments are listed under the diff, and nothing else is lost.
   Keys (never while typing in a field, nor with Ctrl/Alt/Meta): j / k next / previous change, a / r write a comment
   to approve / reject, ? shows the keys. Comments come from embedded JSON (#line-comments-data, Django's
   json_script) and are built with textContent, so nothing a user wrote is ever parsed as HTML. */
(function () {
  "use strict";

  function decisionIntent(intent) {
    var form = document.querySelector("#decide .decision-form");
    var comment = document.getElementById("id_comment");
    if (!form || !comment) {
      var panel = document.getElementById("decide");
      if (panel) {
        panel.scrollIntoView({ block: "start" });
      }
      return;
    }
    form.querySelectorAll("button[name=action]").forEach(function (button) {
      button.classList.toggle("intended", button.value === intent);
    });
    form.dataset.intent = intent;
    comment.scrollIntoView({ block: "center" });
    comment.focus();
  }

  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function hunks() {
    return Array.prototype.slice.call(document.querySelectorAll("#code-diff .rg-hunk, .rg-diff-panel .rg-hunk"))
      .filter(function (hunk, index, all) { return all.indexOf(hunk) === index; });
  }

  function currentIndex(list) {
    var current = document.querySelector(".rg-hunk.rg-current");
    return current ? list.indexOf(current) : -1;
  }

  function goTo(list, index) {
    var hunk = list[index];
    if (!hunk) {
      return;
    }
    list.forEach(function (other) { other.classList.remove("rg-current"); });
    hunk.classList.add("rg-current");
    hunk.setAttribute("tabindex", "-1");
    hunk.scrollIntoView({ block: "start" });
    hunk.focus({ preventScroll: true });
  }

  function step(delta) {
    var list = hunks();
    var index = currentIndex(list) + delta;
    if (index >= list.length && delta > 0) {
      // Past the last change sent: load the next ones, then go on.
      var more = document.querySelector("#code-diff .rg-lazy-more");
      if (more && window.ReviewGateDiff) {
        window.ReviewGateDiff.load(more).then(function (loaded) {
          if (loaded) {
            goTo(hunks(), index);
          }
        });
      }
      return;
    }
    goTo(list, Math.max(0, Math.min(index, list.length - 1)));
  }

  function showKeys() {
    var dialog = document.getElementById("keys-help");
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || event.defaultPrevented) {
      return;
    }
    var dialog = document.getElementById("keys-help");
    if (dialog && dialog.open) {
      return;
    }
    var key = event.key;
    if (key === "j" || key === "k") {
      step(key === "j" ? 1 : -1);
    } else if (key === "a" || key === "r") {
      decisionIntent(key === "a" ? "approve" : "reject");
    } else if (key === "?") {
      showKeys();
    } else {
      return;
    }
    event.preventDefault();
  }

  // --- Line comments ------------------------------------------------------------------------------------------

  function readComments() {
    var data = document.getElementById("line-comments-data");
    if (!data) {
      return [];
    }
    try {
      var list = JSON.parse(data.textContent || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function cellIndex(side, unified) {
    if (side === "old") {
      return 0;
    }
    return unified ? 1 : 2;
  }

  function rowFor(container, side, line) {
    var unified = container.dataset.view === "unified";
    var index = cellIndex(side, unified);
    var rows = container.querySelectorAll(".rg-diff.rg-code .rg-row");
    for (var k = 0; k < rows.length; k += 1) {
      var cell = rows[k].children[index];
      if (cell && cell.dataset.ln === String(line)) {
        return rows[k];
      }
    }
    return null;
  }

  function placeComments(container, comments) {
    if (container.dataset.against === "approved") {
      return; // the lines were numbered against the previous version; the list under the diff shows them
    }
    comments.forEach(function (comment) {
      if (document.getElementById("rg-comment-" + comment.id)) {
        return;
      }
      var row = rowFor(container, comment.side, comment.line);
      if (!row) {
        return; // not loaded (yet): the list under the diff shows it
      }
      var box = document.createElement("div");
      box.className = "rg-line-comment";
      box.id = "rg-comment-" + comment.id;
      box.setAttribute("role", "note");
      var who = document.createElement("strong");
      who.textContent = String(comment.author || "");
      var text = document.createElement("span");
      text.textContent = " " + String(comment.body || "");
      box.append(who, text);
      var anchor = row;
      while (anchor.nextElementSibling && anchor.nextElementSibling.matches(".rg-line-comment, .rg-finding-note")) {
        anchor = anchor.nextElementSibling;
      }
      anchor.after(box);
    });
  }

  function openCommentForm(container, cell) {
    var holder = document.getElementById("line-comments");
    var template = document.getElementById("line-comment-form");
    if (!holder || !holder.dataset.mayComment || !template) {
      return;
    }
    var row = cell.closest(".rg-row");
    var unified = container.dataset.view === "unified";
    var index = Array.prototype.indexOf.call(row.children, cell);
    var side = index === 0 ? "old" : "new";
    if (index !== 0 && index !== cellIndex("new", unified)) {
      return;
    }
    if (side === "old" && container.dataset.against === "approved") {
      return; // comments on the previous version's lines only where that version is shown
    }
    var open = container.querySelector(".line-comment-form");
    if (open) {
      open.remove();
    }
    var form = template.content.firstElementChild.cloneNode(true);
    form.querySelector("input[name=side]").value = side;
    form.querySelector("input[name=line]").value = cell.dataset.ln;
    form.querySelector(".cancel").addEventListener("click", function () { form.remove(); });
    row.after(form);
    form.querySelector("textarea").focus();
  }

  function init() {
    document.addEventListener("keydown", onKey);
    document.querySelectorAll("[data-intent]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        decisionIntent(link.dataset.intent);
      });
    });
    var keys = document.querySelector(".keys-button");
    if (keys) {
      keys.addEventListener("click", showKeys);
    }
    var container = document.getElementById("code-diff");
    if (!container) {
      return;
    }
    var comments = readComments();
    placeComments(container, comments);
    container.addEventListener("rg:diff-loaded", function () { placeComments(container, comments); });
    container.addEventListener("click", function (event) {
      var cell = event.target.closest && event.target.closest(".rg-row > .rg-n[data-ln]");
      if (cell) {
        openCommentForm(container, cell);
      }
    });
    document.querySelectorAll(".line-ref").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var row = rowFor(container, link.dataset.side, link.dataset.line);
        if (row) {
          row.scrollIntoView({ block: "center" });
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
