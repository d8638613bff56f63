// Keying returned paper forms (/staff/paper/letters/:id): Enter in a field moves to the next
// field, as Tab does, so a form can be keyed with either habit; Enter in the last field (or on
// the button) saves. Without this script Enter saves at once and the server lists what is missing.
(function () {
  'use strict';
  var form = document.querySelector('form[data-phase="entry"]');
  if (!form) return;
  var fields = Array.prototype.slice.call(form.querySelectorAll('input.key-input'));
  form.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    var at = fields.indexOf(event.target);
    if (at < 0 || at === fields.length - 1) return;
    event.preventDefault();
    fields[at + 1].focus();
    fields[at + 1].select();
  });
})();
