/* Review Gate diff niceties. Optional: the diff works without this file (placeholders are links to the whole diff).
   - Placeholders of blocks not sent yet ("Load N more changes", "Show N unchanged lines") fetch those blocks as JSON
     from the diff's data-url and put them in place; then "rg:diff-loaded" is dispatched on the diff so risk.js and
     ticket.js mark the new lines. The HTML comes from our server, escaped by the diff engine.
   - "Expand all" / "Collapse all" for folds of the whole-diff view (the button is hidden until this runs). */
(function () {
  "use strict";

  function setUpExpandAll(panel) {
    var button = panel.querySelector(".rg-expand-all");
    if (!button || button.dataset.rgReady) {
      return;
    }
    var folds = panel.querySelectorAll("details.rg-fold");
    if (!folds.length) {
      return;
    }
    button.dataset.rgReady = "1";
    button.hidden = false;
    var expanded = false;
    button.addEventListener("click", function () {
      expanded = !expanded;
      folds.forEach(function (fold) {
        fold.open = expanded;
      });
      button.textContent = expanded ? button.dataset.labelCollapse : button.dataset.labelExpand;
      button.setAttribute("aria-pressed", expanded ? "true" : "false");
    });
  }

  function load(placeholder) {
    var diff = placeholder.closest(".rg-diff");
    var link = placeholder.querySelector(".rg-load");
    if (!diff || !diff.dataset.url || placeholder.dataset.loading) {
      return Promise.resolve(false);
    }
    placeholder.dataset.loading = "1";
    placeholder.setAttribute("aria-busy", "true");
    var fold = placeholder.classList.contains("rg-lazy-fold");
    var query = fold ? "&block=" + encodeURIComponent(placeholder.dataset.from)
      : "&from=" + encodeURIComponent(placeholder.dataset.from) + "&to=" + encodeURIComponent(placeholder.dataset.to);
    return fetch(diff.dataset.url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        var template = document.createElement("template");
        template.innerHTML = String(data.html || "");
        placeholder.replaceWith(template.content);
        diff.dispatchEvent(new CustomEvent("rg:diff-loaded", { bubbles: true }));
        return true;
      })
      .catch(function () {
        // Leave the link: following it opens the whole diff, which needs no script.
        delete placeholder.dataset.loading;
        placeholder.removeAttribute("aria-busy");
        placeholder.classList.add("rg-load-failed");
        if (link) {
          link.focus();
        }
        return false;
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".rg-lazy .rg-load");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var placeholder = link.closest(".rg-lazy");
    if (placeholder.classList.contains("rg-load-failed")) {
      return; // a second click after a failure follows the link to the whole diff
    }
    event.preventDefault();
    load(placeholder);
  });

  window.ReviewGateDiff = { load: load };

  function init() {
    document.querySelectorAll(".rg-diff-panel").forEach(setUpExpandAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
