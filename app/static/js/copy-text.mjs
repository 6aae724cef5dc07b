// "Copy" buttons: each names the field it copies in data-copy-target. The result is
// announced in the nearest .app-copy-status (aria-live), so screen reader users hear it.

export function startCopyButtons(root) {
  const status = root.querySelector(".app-copy-status");
  root.querySelectorAll("button[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copyTarget);
      if (!field) {
        return;
      }
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) {
          status.textContent = `${button.textContent.trim().replace(/^Copy /, "")} copied.`.replace(/^./, (c) => c.toUpperCase());
        }
      } catch {
        field.focus();
        field.select();
        if (status) {
          status.textContent = "Your browser did not allow copying: the text is selected, so copy it yourself.";
        }
      }
    });
  });
}
