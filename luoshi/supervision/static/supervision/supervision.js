// Supervision pages: print a notice; select all / none of the departments to chase.
document.addEventListener("click", (event) => {
  const print = event.target.closest("[data-print]");
  if (print) {
    window.print();
    return;
  }
  const toggle = event.target.closest("[data-toggle-all]");
  if (toggle) {
    const boxes = document.querySelectorAll(`input[name="${toggle.dataset.toggleAll}"]`);
    const anyOff = Array.from(boxes).some((box) => !box.checked);
    boxes.forEach((box) => { box.checked = anyOff; });
  }
});
