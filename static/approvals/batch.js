/* Batch decisions in the inbox (templates/approvals/includes/inbox_batch.html). Optional: the form works without it.

   - Counts the checked tickets ([data-batch-count]) and keeps the decision bar at the bottom of the screen while
     any is checked (class has-selection).
   - The header checkbox ([data-batch-all]) checks or clears every ticket on the page.
   - Checking a ticket chooses "the tickets I selected"; choosing "all matching" clears nothing, the server ignores
     the checks then.
   The checkboxes live in the list that static/approvals/inbox.js replaces when it changes; inbox.js never replaces
   it while a box is checked (a changed field), so listening on the document is enough. No inline script (CSP). */
(function () {
  "use strict";

  function boxes() {
    return document.querySelectorAll("input[data-batch-select]");
  }

  function update() {
    var form = document.getElementById("batch-form");
    if (!form) {
      return;
    }
    var checked = 0;
    var all = boxes();
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].checked) {
        checked += 1;
      }
    }
    var counter = form.querySelector("[data-batch-count]");
    if (counter) {
      counter.textContent = String(checked);
    }
    var matching = form.querySelector("[data-batch-matching]");
    form.classList.toggle("has-selection", checked > 0 || Boolean(matching && matching.checked));
    var header = document.querySelector("input[data-batch-all]");
    if (header) {
      header.checked = all.length > 0 && checked === all.length;
      header.indeterminate = checked > 0 && checked < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.matches) {
      return;
    }
    if (target.matches("input[data-batch-all]")) {
      var all = boxes();
      for (var i = 0; i < all.length; i += 1) {
        all[i].checked = target.checked;
      }
    }
    if (target.matches("input[data-batch-select], input[data-batch-all]")) {
      var selected = document.querySelector("#batch-form input[name=scope][value=selected]");
      if (selected) {
        selected.checked = true;
      }
    }
    update();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
