// Progressive enhancement for items with itemControl "slider": shows the hidden range
// input next to the item's number field and keeps the two in step. The number field stays the
// answer that is sent, so the page works the same without JavaScript. Until a value is chosen the
// range says "not chosen" rather than announcing the midpoint it is drawn at.
(function () {
  'use strict';
  var scales = document.querySelectorAll('.item-slider');
  Array.prototype.forEach.call(scales, function (scale) {
    var field = document.getElementById(scale.getAttribute('data-for'));
    var range = scale.querySelector('input[type="range"]');
    var output = scale.querySelector('output');
    var comma = scale.getAttribute('data-comma') === '1';
    var unset = scale.getAttribute('data-unset');
    var chosen = scale.getAttribute('data-chosen');
    if (!field || !range || !output) return;

    var shown = function (value) {
      return comma ? String(value).replace('.', ',') : String(value);
    };
    var describe = function (value) {
      if (value === null) {
        range.setAttribute('aria-valuetext', unset);
        output.textContent = unset;
        return;
      }
      range.setAttribute('aria-valuetext', shown(value));
      output.textContent = chosen.replace('{value}', shown(value));
    };
    // The field's text as a number within the scale, or null (empty, words, out of range).
    var fieldValue = function () {
      var text = field.value.trim().replace(',', '.');
      if (text === '' || isNaN(Number(text))) return null;
      var n = Number(text);
      return n < Number(range.min) || n > Number(range.max) ? null : n;
    };

    var start = fieldValue();
    if (start !== null) range.value = String(start);
    describe(start);
    range.addEventListener('input', function () {
      field.value = shown(range.value);
      describe(Number(range.value));
    });
    field.addEventListener('input', function () {
      var n = fieldValue();
      if (n !== null) range.value = String(n);
      describe(n);
    });
    scale.hidden = false;
  });
})();
