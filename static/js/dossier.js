/* The dossier page: live character counters, the "Use their text" button of a save
   conflict, a confirmation before submitting, and a warning before leaving the page with
   text that is not saved yet. Loaded with <script defer>; no inline scripts (strict CSP).
   Autosave itself is htmx (hx-post on each textarea). The server's count is
   authoritative. */
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
    var by = counter.querySelector("[data-over-by]");
    if (by) by.textContent = String(Math.max(count - parseInt(textarea.dataset.maxChars, 10), 0));
  }

  // Text boxes changed since their last successful save (id -> true), and the text each
  // one's save in flight carries (id -> text).
  var unsaved = {};
  var sending = {};

  function isSectionBox(node) {
    return node && node.matches && node.matches("textarea[data-max-chars]") && node.id;
  }

  document.addEventListener("input", function (event) {
    if (isSectionBox(event.target)) {
      updateCounter(event.target);
      unsaved[event.target.id] = true;
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (isSectionBox(elt)) sending[elt.id] = elt.value;
  });

  // The status line was replaced by the server's answer: a save that was not refused
  // (over the limit is saved too) clears the warning, unless more was typed meanwhile.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id || target.id.indexOf("status-") !== 0) return;
    var box = document.getElementById(target.id.replace(/^status-/, "body-"));
    if (!box || !(box.id in sending)) return;
    var refused = target.querySelector(".save-error:not(.over-saved)");
    if (!refused && box.value === sending[box.id]) delete unsaved[box.id];
    delete sending[box.id];
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // A section's own Save button posts its text: that text is not lost by leaving.
    var box = form.querySelector && form.querySelector("textarea[data-max-chars]");
    if (box) delete unsaved[box.id];
  });

  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(unsaved).length === 0) return;
    event.preventDefault();
    event.returnValue = ""; // older Chromium needs it set to show the dialog
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
