// Keyboard shortcuts of the review page: a accept, r reject, u unsure, n note.
(function () {
  "use strict";
  var form = document.getElementById("decide");
  if (!form) { return; }
  var note = document.getElementById("note");
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target === note) {
      if (event.key === "Escape") { note.blur(); }
      return;
    }
    if (event.key === "n") {
      event.preventDefault();
      note.focus();
      return;
    }
    var button = form.querySelector('button[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      form.requestSubmit(button);
    }
  });
})();
