// After a failed submit, the error summary takes the focus (a screen reader reads it, the
// keyboard starts there); its links jump to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
