// The Preview button of Markdown fields (kb/admin_forms.py MarkdownTextarea). A static file rather than an inline
// script: the admin keeps to the site's CSP, script-src 'self'. One listener on the document also serves the
// fields of inline rows that editors add after the page loaded.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-kb-markdown-preview]");
  if (!button) {
    return;
  }
  const editor = button.closest(".kb-markdown-editor");
  const output = editor.querySelector(".kb-markdown-preview");
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  const body = new FormData();
  body.append("text", editor.querySelector("textarea").value);
  output.hidden = false;
  try {
    const response = await fetch(button.dataset.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    // The server sanitised the HTML with the renderer readers get (kb/markdown.py).
    output.innerHTML = await response.text();
  } catch {
    output.textContent = button.dataset.error;
  }
});
