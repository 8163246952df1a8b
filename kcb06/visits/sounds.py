"""Build the announcement fragments of the queue board offline with espeak-ng (Vietnamese voice).

The board concatenates them in the browser (Web Audio API): "Mời số" + number words +
"vào phòng khám số" + room words. No online speech service is used at any time. The generated
WAV files are committed under static/visits/sounds/, so a facility needs no espeak-ng.
"""

import audioop  # noqa: TID251 - stdlib in 3.11; used only by this offline build step
import math
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

OUT = Path(__file__).resolve().parent / "static" / "visits" / "sounds"
RATE = 16000

# fragment name -> Vietnamese text spoken
FRAGMENTS = {
    "moi_so": "mời số",
    "vao_phong": "vào phòng khám số",
    "d0": "không",
    "d1": "một",
    "d2": "hai",
    "d3": "ba",
    "d4": "bốn",
    "d5": "năm",
    "d6": "sáu",
    "d7": "bảy",
    "d8": "tám",
    "d9": "chín",
    "muoi": "mười",
    "muoi2": "mươi",
    "tram": "trăm",
    "linh": "linh",
    "mot": "mốt",
    "lam": "lăm",
    "tu": "tư",
}


def _trim(frames: bytes, width: int, threshold: int = 300) -> bytes:
    step = width
    samples = len(frames) // step
    start, end = 0, samples
    while start < end and abs(audioop.getsample(frames, width, start)) < threshold:
        start += 1
    while end > start and abs(audioop.getsample(frames, width, end - 1)) < threshold:
        end -= 1
    pad = int(RATE * 0.03)
    return frames[max(0, start - pad) * step : min(samples, end + pad) * step]


def _write(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)


def build(voice: str = "vi", speed: int = 140) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in FRAGMENTS.items():
            raw = Path(tmp) / f"{name}.wav"
            subprocess.run(  # noqa: S603 - fixed argv, offline tool
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True
            )
            with wave.open(str(raw)) as r:
                frames = r.readframes(r.getnframes())
                width, rate = r.getsampwidth(), r.getframerate()
            frames, _ = audioop.ratecv(frames, width, 1, rate, RATE, None)
            target = OUT / f"{name}.wav"
            _write(target, _trim(frames, width))
            written.append(target)
    chime = OUT / "chime.wav"
    _write(chime, _chime())
    written.append(chime)
    return written


def _chime() -> bytes:
    """Two soft bell tones (ding-dong), synthesised: no recording licence needed."""
    out = bytearray()
    for freq, dur in ((880.0, 0.35), (660.0, 0.55)):
        n = int(RATE * dur)
        for i in range(n):
            env = math.exp(-4.0 * i / n)
            value = (
                0.35
                * env
                * (
                    math.sin(2 * math.pi * freq * i / RATE)
                    + 0.3 * math.sin(2 * math.pi * 2 * freq * i / RATE)
                )
            )
            out += struct.pack("<h", int(max(-1, min(1, value)) * 32767))
    return bytes(out)
