// Kiosk: idle reset (the next person never sees the previous one's data), scanner focus,
// and the camera path (a frame is POSTed and decoded server-side with zxing-cpp).
(function () {
  const root = document.getElementById("kiosk");
  if (!root) return;
  const idleMs = parseInt(root.dataset.idleSeconds || "60", 10) * 1000;
  const home = root.dataset.home;
  let timer = null;
  function reset() {
    stopCamera();
    // Replace the page: nothing of the previous patient stays in the DOM or history.
    window.location.replace(home);
  }
  function onStep() { return root.querySelector(".kstep"); }
  function arm() {
    clearTimeout(timer);
    const step = onStep();
    if (step && step.dataset.step === "scan") { timer = setTimeout(function () { const f = document.getElementById("kiosk-scan"); if (f) f.value = ""; }, idleMs); return; }
    timer = setTimeout(reset, idleMs);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (ev) { document.addEventListener(ev, arm, true); });
  document.body.addEventListener("htmx:afterSwap", function () { arm(); wire(); });

  let stream = null, grab = null;
  function stopCamera() {
    if (grab) clearInterval(grab); grab = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); }); stream = null;
  }
  function wire() {
    const f = document.getElementById("kiosk-scan"); if (f) f.focus();
    const btn = document.getElementById("camera-start");
    if (!btn || btn.dataset.wired) return;
    btn.dataset.wired = "1";
    btn.addEventListener("click", async function () {
      const video = document.getElementById("camera");
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 1280 } });
      } catch (e) { btn.textContent = "Không mở được camera"; return; }
      video.srcObject = stream; video.hidden = false; await video.play();
      const canvas = document.createElement("canvas");
      let busy = false;
      grab = setInterval(function () {
        if (busy || !video.videoWidth) return;
        busy = true;
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        canvas.toBlob(function (blob) {
          const fd = new FormData();
          fd.append("step", "scan"); fd.append("image", blob, "frame.jpg");
          fd.append("csrfmiddlewaretoken", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]);
          fetch(root.dataset.home + "step/", { method: "POST", body: fd, headers: { "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"], "X-Camera": "1" } })
            .then(function (r) { return r.text(); })
            .then(function (html) {
              busy = false;
              if (html.indexOf('data-code="qr_not_found"') >= 0) return; // keep looking
              stopCamera(); root.innerHTML = html; htmx.process(root); arm(); wire();
            }).catch(function () { busy = false; });
        }, "image/jpeg", 0.85);
      }, 700);
    });
  }
  arm(); wire();
})();
