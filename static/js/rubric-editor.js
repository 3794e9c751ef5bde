// The rubric editor (templates/awards/config_rubric.html): live sums as points are typed
// (each dimension's indicators against its points, the dimensions against the rubric
// total), and the focus put back where the user was after an add, remove or move.
// The server checks everything again on save; without JavaScript the sums are those
// drawn with the page.
(function () {
  "use strict";
  var form = document.getElementById("rubric-editor");
  if (!form) return;

  function number(input) {
    var text = (input.value || "").trim().replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48);
    });
    return /^[+-]?[0-9]+$/.test(text) ? parseInt(text, 10) : null;
  }

  function show(output, sum, total) {
    output.textContent = output.dataset.template
      .replace("%(sum)s", sum === null ? "?" : String(sum))
      .replace("%(total)s", total === null ? "?" : String(total));
    output.classList.toggle("mismatch", sum === null || total === null || sum !== total);
  }

  function update() {
    var dimensionSum = 0;
    var dimensionsKnown = true;
    form.querySelectorAll("fieldset[data-dimension]").forEach(function (fieldset) {
      var points = number(fieldset.querySelector("input[data-dimension-points]"));
      var sum = 0;
      var known = true;
      fieldset.querySelectorAll("input[data-indicator-points]").forEach(function (input) {
        var n = number(input);
        if (n === null) known = false;
        else sum += n;
      });
      var output = fieldset.querySelector("output.sum");
      if (output) show(output, known ? sum : null, points);
      if (points === null) dimensionsKnown = false;
      else dimensionSum += points;
    });
    var total = form.querySelector("input[data-total]");
    var output = document.getElementById("dimension-sum");
    if (total && output) show(output, dimensionsKnown ? dimensionSum : null, number(total));
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-indicator-points], input[data-dimension-points], input[data-total]")) {
      update();
    }
  });
  var focus = form.dataset.focus && document.getElementById(form.dataset.focus);
  if (focus) focus.focus();
  else {
    var problems = document.getElementById("editor-problems");
    var invalid = form.querySelector("[aria-invalid=true]");
    if (problems && invalid) invalid.focus();
  }
  update();
})();
