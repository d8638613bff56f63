// EQ VAS scale: a progressive enhancement of the whole-number field. The field stays
// visible and stays the form field; this vertical scale (100 at the top, 0 at the bottom) only
// writes to it. Set by a click or tap (no dragging, WCAG 2.5.7), or by keyboard:
// Up/Right +1, Down/Left −1, Page Up/Page Down ±10, Home 0, End 100 (from nothing chosen, Up
// starts at the bottom and Down at the top). No default value: until something is chosen the
// slider has no aria-valuenow, only the text "not chosen", and the field stays empty.
(function () {
  'use strict';
  var scale = document.querySelector('[data-vas-scale]');
  if (!scale) return;
  var slider = scale.querySelector('[role="slider"]');
  var field = document.getElementById(slider.getAttribute('data-for'));
  var rail = slider.querySelector('.vas-rail');
  var thumb = slider.querySelector('.vas-thumb');
  var thumbValue = slider.querySelector('.vas-thumb-value');
  var unsetText = slider.getAttribute('data-unset-text');
  if (!field || !rail || !thumb) return;

  function parse(text) {
    var t = String(text).trim();
    if (!/^\d{1,3}$/.test(t)) return null;
    var n = Number(t);
    return n <= 100 ? n : null;
  }

  // Shows a value on the scale (or none); never changes the field.
  function show(value) {
    if (value === null) {
      slider.removeAttribute('aria-valuenow');
      slider.setAttribute('aria-valuetext', unsetText);
      thumb.hidden = true;
      return;
    }
    slider.setAttribute('aria-valuenow', String(value));
    slider.removeAttribute('aria-valuetext');
    thumb.hidden = false;
    thumb.style.bottom = value + '%';
    thumbValue.textContent = String(value);
  }

  // Chooses a value: writes it to the field, which is what the form sends.
  function choose(value) {
    var v = Math.max(0, Math.min(100, Math.round(value)));
    field.value = String(v);
    field.removeAttribute('aria-invalid');
    show(v);
  }

  function fromPointer(clientY) {
    var box = rail.getBoundingClientRect();
    if (box.height <= 0) return null;
    return ((box.bottom - clientY) / box.height) * 100;
  }

  // A click or tap sets the value where it lands. No dragging (a swipe still scrolls the page).
  slider.addEventListener('click', function (event) {
    var v = fromPointer(event.clientY);
    if (v === null) return;
    slider.focus();
    choose(v);
  });

  slider.addEventListener('keydown', function (event) {
    var current = parse(field.value);
    var next;
    switch (event.key) {
      case 'ArrowUp':
      case 'ArrowRight':
        next = current === null ? 1 : current + 1;
        break;
      case 'ArrowDown':
      case 'ArrowLeft':
        next = current === null ? 99 : current - 1;
        break;
      case 'PageUp':
        next = current === null ? 10 : current + 10;
        break;
      case 'PageDown':
        next = current === null ? 90 : current - 10;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = 100;
        break;
      default:
        return;
    }
    event.preventDefault();
    choose(next);
  });

  field.addEventListener('input', function () {
    show(parse(field.value));
  });

  scale.hidden = false;
  show(parse(field.value));
})();
