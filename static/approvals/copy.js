/* Review Gate: the copy buttons next to every id on the ticket page (approvals/includes/context_copy.html).
   A separate file because the CSP forbids inline script. The value is read from the button's data-copy attribute and
   written to the clipboard as text; nothing is parsed as HTML. Where the Clipboard API is unavailable (plain http),
   a hidden text area and execCommand("copy") do the same. The button says "Copied" for two seconds. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  function confirm(button) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = button.dataset.copied || original;
    button.classList.add("copied");
    window.setTimeout(function () {
      button.textContent = original;
      button.classList.remove("copied");
    }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy-button") : null;
    if (!button || button.dataset.copy === undefined) {
      return;
    }
    event.preventDefault();
    copy(button.dataset.copy).then(function () {
      confirm(button);
    }, function () {
      button.classList.add("copy-failed");
    });
  });
})();
