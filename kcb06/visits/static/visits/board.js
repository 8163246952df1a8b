// Queue board: polls the called numbers (< 1 s) and announces new calls with a chime and
// "Mời số N vào phòng khám số R" built from fragments shipped with kcb06 (Web Audio API).
(function () {
  const root = document.getElementById("board");
  if (!root) return;
  const url = root.dataset.stateUrl, base = root.dataset.sounds;
  const pollMs = parseInt(root.dataset.pollMs || "700", 10);
  let ctx = null; const buffers = {}; let queue = Promise.resolve();
  const seen = {}; let first = true;

  function words(n) {
    // Vietnamese reading of 0..999 as fragment names; larger numbers digit by digit.
    n = parseInt(n, 10);
    if (isNaN(n)) return [];
    if (n >= 1000) return String(n).split("").map(function (d) { return "d" + d; });
    const out = []; const h = Math.floor(n / 100), t = Math.floor((n % 100) / 10), u = n % 10;
    if (h) { out.push("d" + h, "tram"); if (!t && !u) return out; }
    if (t === 0) { if (h && u) out.push("linh"); if (u || !h) out.push("d" + u); return out; }
    if (t === 1) out.push("muoi"); else out.push("d" + t, "muoi2");
    if (u === 1 && t > 1) out.push("mot");
    else if (u === 5) out.push("lam");
    else if (u === 4 && t > 1) out.push("tu");
    else if (u) out.push("d" + u);
    return out;
  }
  window.kcb06Words = words;

  async function load(name) {
    if (buffers[name]) return buffers[name];
    const resp = await fetch(base + name + ".wav");
    buffers[name] = await ctx.decodeAudioData(await resp.arrayBuffer());
    return buffers[name];
  }
  async function play(names) {
    if (!ctx) return;
    const bufs = await Promise.all(names.map(load));
    let t = ctx.currentTime + 0.05;
    bufs.forEach(function (b) {
      const src = ctx.createBufferSource(); src.buffer = b; src.connect(ctx.destination);
      src.start(t); t += b.duration + 0.04;
    });
    await new Promise(function (r) { setTimeout(r, (t - ctx.currentTime) * 1000 + 300); });
  }
  function announce(number, room) {
    const parts = ["chime", "moi_so"].concat(words(number), ["vao_phong"], words(room));
    root.dataset.lastAnnouncement = parts.join(" ");
    queue = queue.then(function () { return play(parts); }).catch(function () {});
  }
  document.getElementById("sound-on").addEventListener("click", function (e) {
    ctx = ctx || new (window.AudioContext || window.webkitAudioContext)();
    ctx.resume(); e.target.style.display = "none";
  });

  async function poll() {
    try {
      const resp = await fetch(url, { headers: { Accept: "application/json" } });
      if (resp.ok) {
        const state = await resp.json();
        state.rooms.forEach(function (r) {
          const row = document.querySelector('tr[data-dep="' + r.department + '"]');
          if (!row) return;
          const cell = row.querySelector(".calling");
          cell.textContent = r.calling === null ? "—" : r.calling;
          cell.classList.toggle("priority", !!r.calling_priority);
          row.querySelector(".waiting").textContent = r.waiting;
          const prio = row.querySelector(".priority-waiting");
          if (prio) prio.textContent = (r.priority_waiting || []).join(", ");
          if (r.call_seq && seen[r.department] !== r.call_seq) {
            if (!first) { announce(r.calling, r.room); row.classList.add("flash"); setTimeout(function () { row.classList.remove("flash"); }, 4000); }
            seen[r.department] = r.call_seq;
          }
        });
        first = false;
      }
    } catch (err) { /* network blip: try again next tick */ }
    setTimeout(poll, pollMs);
  }
  poll();
})();
