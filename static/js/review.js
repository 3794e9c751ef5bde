// The scoring form (templates/scoring/reviews/review.html): a running total as points are
// typed, a hint beside a value out of range, and a confirmation before submitting.
// The server checks everything again; without JavaScript the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-points]"));
  var output = document.getElementById("running-total");

  function parse(input) {
    var text = input.value.trim();
    if (text === "") return null;
    var n = Number(text);
    return isFinite(n) ? n : NaN;
  }

  function acceptable(input, n) {
    if (n === null) return true;
    if (isNaN(n) || n < 0 || n > Number(input.max)) return false;
    var step = Number(input.step) || 1;
    return Math.abs(n / step - Math.round(n / step)) < 1e-9;
  }

  function format(n) {
    return String(Math.round(n * 10) / 10);
  }

  function update() {
    var total = 0;
    inputs.forEach(function (input) {
      var n = parse(input);
      var ok = acceptable(input, n);
      if (ok && n !== null) total += n;
      var hint = document.getElementById(input.id + "-hint");
      if (hint) hint.hidden = ok;
      input.classList.toggle("out-of-range", !ok);
    });
    if (output) output.textContent = format(total);
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-points]")) update();
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.value === "submit" && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  update();
})();
