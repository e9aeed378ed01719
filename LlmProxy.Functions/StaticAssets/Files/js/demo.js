// Shows the element's events on the demo page (kept out of the page so its Content-Security-Policy needs no inline script).
const log = document.getElementById('log');
for (const type of ['enhance-start', 'enhance-done', 'enhance-error', 'enhance-cancel', 'enhance-accept']) {
  document.addEventListener(type, (event) => {
    const source = event.target.getAttribute('editor-id');
    const detail = JSON.stringify(event.detail);
    log.textContent = `${type} (${source}) ${detail.length > 160 ? detail.slice(0, 160) + '…' : detail}\n` + log.textContent;
  });
}
