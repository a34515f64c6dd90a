// Mounted by sidepanel.js when its tab is first shown.
export function mount(root) {
  root.textContent = "";
}
