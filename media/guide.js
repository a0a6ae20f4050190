// The investigation guide's only script (loaded with the page's CSP nonce): the two record buttons.
// Messages name an action only; the extension knows which record the page shows.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  for (const button of document.querySelectorAll('button[data-action]')) {
    button.addEventListener('click', () => {
      const action = button.getAttribute('data-action');
      if (action === 'reveal' || action === 'copy') vscode.postMessage({ action });
    });
  }
})();
