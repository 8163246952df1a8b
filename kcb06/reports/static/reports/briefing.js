// Morning briefing: the "full screen" button shows the briefing alone on the meeting-room screen
// (Esc leaves). The figures refresh themselves every minute through htmx (hx-trigger).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fullscreen]");
  if (!button) return;
  const target = document.getElementById(button.dataset.fullscreen);
  if (!target) return;
  if (document.fullscreenElement) {
    document.exitFullscreen();
  } else if (target.requestFullscreen) {
    target.requestFullscreen().catch(() => target.classList.add("pseudo-fullscreen"));
  } else {
    target.classList.toggle("pseudo-fullscreen");
  }
});
