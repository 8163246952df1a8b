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
  // The scan and the typed date of birth are kept outside the swapped steps (#kiosk-carry) and
  // sent with every later step; the server never echoes them back.
  const carryScan = document.getElementById("kiosk-carry-scan");
  const carryDob = document.getElementById("kiosk-carry-dob");
  document.body.addEventListener("htmx:configRequest", function (e) {
    const elt = e.detail.elt;
    if (elt && elt.id === "kiosk-scan-form") {
      carryScan.value = document.getElementById("kiosk-scan").value; carryDob.value = "";
    }
    if (elt && elt.id === "upload-form") { carryScan.value = ""; carryDob.value = ""; }
    if (elt && elt.id === "kiosk-dob-form") { carryDob.value = document.getElementById("kiosk-dob-input").value; }
  });
  function wireStep() {
    const decoded = root.querySelector(".kiosk-decoded");
    if (decoded) { carryScan.value = decoded.value; carryDob.value = ""; decoded.remove(); }
    // Choosing a photo of the card sends it at once (no inline handler: the CSP forbids them).
    root.querySelectorAll("input.kupload").forEach(function (input) {
      if (input.dataset.wired) return;
      input.dataset.wired = "1";
      input.addEventListener("change", function () { htmx.trigger(input.form, "submit"); });
    });
    // Date of birth: an on-screen keypad (a kiosk has no keyboard), shown as dd/mm/yyyy.
    const dob = document.getElementById("kiosk-dob-input");
    if (dob && !dob.dataset.wired) {
      dob.dataset.wired = "1";
      const show = function (digits) {
        digits = digits.replace(/\D/g, "").slice(0, 8);
        let out = digits.slice(0, 2);
        if (digits.length > 2) out += "/" + digits.slice(2, 4);
        if (digits.length > 4) out += "/" + digits.slice(4);
        dob.value = out;
      };
      dob.addEventListener("input", function () { show(dob.value); });
      root.querySelectorAll(".kkey").forEach(function (key) {
        key.addEventListener("click", function () {
          const digits = dob.value.replace(/\D/g, "");
          show(key.dataset.key === "del" ? digits.slice(0, -1) : digits + key.dataset.key);
        });
      });
      dob.focus();
    }
  }
  function wire() {
    wireStep();
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
