/* global document, window, XMLHttpRequest, FormData */
// Progressive enhancement of the evidence upload form (api/web/pages/evidence-widget.ts): without this script the form is a plain
// multipart POST. With it, the same form is sent by XMLHttpRequest so the upload's progress shows, and the block the server
// answers with (the list with the new file, or the reason it was refused) replaces the old one.
(function () {
  'use strict';
  function enhance(root) {
    var form = root.querySelector('form[data-evidence-upload]');
    if (!form || form.dataset.enhanced) return;
    form.dataset.enhanced = '1';
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var progress = form.querySelector('progress');
      var status = form.querySelector('.upload-status');
      var button = form.querySelector('button[type=submit]');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Merzim-Upload', '1');
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        progress.hidden = false;
        progress.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = progress.value + ' %';
      });
      xhr.addEventListener('load', function () {
        var section = document.getElementById('evidence');
        if (xhr.getResponseHeader('Content-Type') && xhr.getResponseHeader('Content-Type').indexOf('text/html') === 0 && xhr.getResponseHeader('X-Merzim-Fragment') === 'evidence') {
          var holder = document.createElement('div');
          holder.innerHTML = xhr.responseText;
          var fresh = holder.querySelector('#evidence');
          if (fresh && section) {
            section.replaceWith(fresh);
            enhance(fresh);
            var flash = fresh.querySelector('.flash');
            if (flash) {
              flash.setAttribute('tabindex', '-1');
              flash.focus();
            }
            return;
          }
        }
        window.location.reload();
      });
      xhr.addEventListener('error', function () {
        button.disabled = false;
        status.textContent = form.dataset.failed || '!';
      });
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }
  enhance(document);
})();
