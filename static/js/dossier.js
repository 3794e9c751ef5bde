/* The dossier page: live character counters and the "Use their text" button of a save
   conflict. Loaded with <script defer>; no inline scripts (strict CSP). Autosave itself
   is htmx (hx-post on each textarea). The server's count is authoritative. */
(function () {
  "use strict";

  // Characters as the server counts them: one per Unicode code point after NFC, so each
  // Chinese character (and each character outside the BMP) counts once.
  function countChars(text) {
    return [...text.replace(/\r\n?/g, "\n").normalize("NFC")].length;
  }

  function updateCounter(textarea) {
    var counter = document.getElementById(textarea.dataset.counter);
    if (!counter) return;
    var count = countChars(textarea.value);
    var over = count > parseInt(textarea.dataset.maxChars, 10);
    var number = counter.querySelector("[data-count]");
    if (number) number.textContent = String(count);
    counter.classList.toggle("over", over);
    var note = counter.querySelector("[data-over]");
    if (note) note.hidden = !over;
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-chars]")) {
      updateCounter(event.target);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-use-theirs]");
    if (!link) return;
    var target = document.getElementById(link.dataset.useTheirs);
    var source = document.getElementById(link.dataset.source);
    if (!target || !source) return;
    event.preventDefault();
    target.value = source.value;
    updateCounter(target);
    target.focus();
  });

  // After a refused save, leaving the text box must not save the refused text over the
  // other person's: only typing (a deliberate change) saves again.
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail && event.detail.triggeringEvent;
    var elt = event.detail && event.detail.elt;
    if (!trigger || trigger.type !== "blur" || !elt || !elt.id) return;
    // Focus moved to this form's own Save button: the form's POST saves; a second save
    // at the same moment would only race it.
    var next = trigger.relatedTarget;
    if (next && elt.form && next.form === elt.form) {
      event.preventDefault();
      return;
    }
    var slot = document.getElementById(elt.id.replace(/^body-/, "conflict-"));
    if (slot && slot.querySelector(".conflict")) event.preventDefault();
  });

  // A failed autosave (network down, signed out, server error) must not leave an old
  // "Saved" on screen.
  function statusFor(detail) {
    var candidates = [detail.target, detail.elt, detail.requestConfig && detail.requestConfig.elt];
    for (var i = 0; i < candidates.length; i++) {
      var node = candidates[i];
      if (!node || !node.id) continue;
      if (node.id.indexOf("status-") === 0) return node;
      if (node.id.indexOf("body-") === 0) {
        return document.getElementById(node.id.replace(/^body-/, "status-"));
      }
    }
    return null;
  }

  function showFailure(event) {
    var status = event.detail && statusFor(event.detail);
    if (!status) return;
    var span = document.createElement("span");
    span.className = "save-error";
    span.textContent = status.dataset.errorText || "";
    status.replaceChildren(span);
  }
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  // Signed out meanwhile: the request was redirected to the sign-in page. Do not put
  // that page into the status line.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var config = event.detail && event.detail.requestConfig;
    if (!xhr || !xhr.responseURL || !config) return;
    var asked = new URL(config.path, window.location.href).pathname;
    if (new URL(xhr.responseURL).pathname !== asked) {
      event.detail.shouldSwap = false;
      showFailure(event);
    }
  });

  function init() {
    document.querySelectorAll("textarea[data-max-chars]").forEach(updateCounter);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
