/* Review Gate: mark each open risk finding on its line of the code diff. Optional: without this file the ticket
   page lists every finding in its risk card. Reads the findings the page embedded as JSON (#risk-findings, written by
   Django's json_script) and builds every mark with textContent, so nothing from the code or a message is ever parsed
   as HTML. Lines are new-side line numbers: the third cell of a split row, the second of a unified one. Runs again on
   "rg:diff-loaded" (static/approvals/diff.js), so findings in hunks loaded later are marked as well. */
(function () {
  "use strict";

  function readMarks() {
    var data = document.getElementById("risk-findings");
    if (!data) {
      return [];
    }
    try {
      var marks = JSON.parse(data.textContent || "[]");
      return Array.isArray(marks) ? marks : [];
    } catch (error) {
      return [];
    }
  }

  function rowsByNewLine(container) {
    var unified = container.dataset.view === "unified";
    var rows = {};
    container.querySelectorAll(".rg-diff.rg-code .rg-row").forEach(function (row) {
      var cell = row.children[unified ? 1 : 2];
      if (cell && cell.classList.contains("rg-n") && cell.dataset.ln) {
        rows[cell.dataset.ln] = row;
      }
    });
    return rows;
  }

  function note(marks) {
    var box = document.createElement("div");
    box.className = "rg-finding-note";
    box.setAttribute("role", "note");
    marks.forEach(function (mark) {
      var item = document.createElement("div");
      item.className = "rg-finding-item";
      var badge = document.createElement("span");
      badge.className = "badge risk risk-" + String(mark.severity || "").toLowerCase();
      badge.textContent = String(mark.label || mark.severity || "");
      var rule = document.createElement("code");
      rule.textContent = String(mark.rule || "");
      var text = document.createElement("span");
      text.textContent = String(mark.message || mark.title || "");
      item.append(badge, " ", rule, " ", text);
      box.appendChild(item);
    });
    return box;
  }

  function init() {
    var container = document.getElementById("code-diff");
    var marks = readMarks();
    if (!container || !marks.length) {
      return;
    }
    var rows = rowsByNewLine(container);
    var byLine = {};
    marks.forEach(function (mark) {
      var key = String(mark.line);
      (byLine[key] = byLine[key] || []).push(mark);
    });
    Object.keys(byLine).forEach(function (line) {
      var row = rows[line];
      if (row && row.classList.contains("rg-flagged")) {
        return; // marked already (init runs again when diff.js loads more of the diff)
      }
      if (!row) {
        return; // not in the diff shown (too large, or an unchanged line left out): the risk card lists it
      }
      var order = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1 };
      var worst = byLine[line].reduce(function (a, b) {
        return (order[b.severity] || 0) > (order[a.severity] || 0) ? b : a;
      });
      row.classList.add("rg-flagged", "rg-flag-" + String(worst.severity || "").toLowerCase());
      row.id = "risk-line-" + line;
      var fold = row.closest("details.rg-fold");
      if (fold) {
        fold.open = true;
      }
      row.after(note(byLine[line]));
    });
    container.dataset.riskMarked = String(Object.keys(byLine).filter(function (line) { return rows[line]; }).length);
  }

  // Hunks loaded later (diff.js) get their marks too.
  document.addEventListener("rg:diff-loaded", init);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
