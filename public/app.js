// First-party progressive enhancement for every page (CSP: script-src 'self'). Without it the
// pages work the same: the error summary has `autofocus`, links jump to their fields.
(function () {
  'use strict';
  var summary = document.querySelector('[data-error-summary]');
  if (!summary) return;
  // Move focus to the error summary on load, so the problem is read out first.
  summary.focus();
  // A link in the summary moves focus to its field and shows the field's question or legend too.
  summary.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a') : null;
    if (!link) return;
    var href = link.getAttribute('href') || '';
    if (href.charAt(0) !== '#') return;
    var field = document.getElementById(href.slice(1));
    if (!field) return;
    event.preventDefault();
    var context = field.closest('fieldset') || field.closest('.field') || field;
    context.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
