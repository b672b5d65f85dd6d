/* Review Gate diff niceties. Optional: the diff works fully without this file.
   - "Expand all" / "Collapse all" button for folded unchanged lines (the button is hidden until this runs). */
(function () {
  "use strict";

  function setUp(panel) {
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

  function init() {
    document.querySelectorAll(".rg-diff-panel").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
