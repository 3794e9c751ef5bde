// Keyboard shortcuts for the interviewer's call form (served as a static file: CSP 'self').
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && el.type !== "radio" && el.type !== "checkbox"));
  }
  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("call-form");
    if (!form) { return; }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (typing(document.activeElement) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var radio = form.querySelector('input[type=radio][data-key="' + event.key + '"]');
    if (radio) {
      event.preventDefault();
      radio.checked = true;
      radio.focus();
      if (radio.value === "complete") { document.getElementById("id_candidate").focus(); }
      if (radio.value === "callback") { document.getElementById("id_callback_at").focus(); }
      return;
    }
    var target = { v: "id_candidate", s: "id_suggestion", c: "id_callback_at" }[event.key.toLowerCase()];
    if (target) {
      event.preventDefault();
      document.getElementById(target).focus();
    }
  });
})();
