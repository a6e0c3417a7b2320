#!/usr/bin/python3
"""Opus and MP3 encoder settings for espeak-ng speech, by measurement.

Renders a text with aloud to WAV once (--loudness off: the 22050 Hz PCM the
writers are handed, before normalisation), then encodes that WAV over a grid:

- Opus: mode x complexity x bitrate, by bench/opus_grid.c (compiled here
  with the library's resample.c and libopus: the writer's resampler and
  settings, application AUDIO, VBR, one encoder through). A mode is a signal
  and a frame length: voice/20 (SILK with CELT, the speech mode) or
  music/10 (the CELT layer alone from about 36 kb/s), the writer's two
  regimes. Size is the packets' bytes (the Ogg pages add about 1%); CPU is
  the encoder's alone.
- MP3: LAME quality x bitrate, by the `lame` program (the same libmp3lame,
  CBR, mono, 22050 Hz kept as the writer does). Size is the file's; CPU is
  lame's whole run.

Each decode (libopus for Opus, ffmpeg for MP3), first aligned with the source
by cross-correlation (libopus's decode of SILK leads by 1 or 2 samples,
which alone costs 4 to 7 dB of SNR; ffmpeg leaves LAME's delay in when it
finds no LAME tag), is compared with the source by

- mel LSD: a log-spectral distance on 40 mel bands (50 Hz to 11025 Hz). Both
  signals are cut at their own rate into 25 ms Hann frames every 10 ms; each
  frame's power spectrum, normalised by FFT length and window energy so that
  band powers do not depend on the rate, is summed into triangular mel
  bands; band levels in dB are floored 50 dB below the source frame's
  loudest band (differences further down are masked); the frame's distance
  is the RMS over bands of the level difference. Reported: the mean over
  speech frames (source frame energy within 40 dB of the loudest frame),
  in dB, lower is better.
- SNR: the waveform signal-to-noise ratio over the source's nonzero samples
  (for Opus at 24 kHz, against the resampled input the encoder saw). Kept
  beside it, but blunt for perceptual coders: it prefers LAME -q7 to -q3.

    bench/codec_settings.py [--aloud build/aloud] [--text FILE ...]

Needs numpy (Debian: python3-numpy), the lame program and ffmpeg.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def read_wav(path):
    with wave.open(path) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return (np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32768.0,
                w.getframerate())


def mel(hz):
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def band_levels(x, rate, bands=40, lo=50.0, hi=11025.0):
    """dB levels of `bands` mel bands of 25 ms Hann frames every 10 ms."""
    n = int(round(0.025 * rate))
    hop = 0.010 * rate
    nfft = 1 << (n - 1).bit_length()
    win = np.hanning(n).astype(np.float32)
    count = int((len(x) - n) // hop) + 1
    freqs = np.arange(nfft // 2 + 1) * rate / nfft
    edges = 700.0 * (10 ** (np.linspace(mel(lo), mel(hi), bands + 2) / 2595.0) - 1)
    fb = np.zeros((bands, len(freqs)), dtype=np.float32)
    for b in range(bands):
        left, mid, right = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - left) / (mid - left)
        down = (right - freqs) / (right - mid)
        fb[b] = np.clip(np.minimum(up, down), 0.0, None)
    x = x.astype(np.float32)
    levels = np.empty((count, bands))
    total = np.empty(count)
    for at in range(0, count, 2048):  # in blocks: bounded memory
        starts = ((at + np.arange(min(2048, count - at))) * hop).round().astype(int)
        frames = x[starts[:, None] + np.arange(n)] * win
        power = np.abs(np.fft.rfft(frames, nfft)) ** 2 / (nfft * np.sum(win * win))
        levels[at:at + len(starts)] = power @ fb.T
        total[at:at + len(starts)] = power.sum(axis=1)
    return 10 * np.log10(levels + 1e-20), 10 * np.log10(total + 1e-20)


class Reference:
    def __init__(self, x, rate):
        self.x, self.rate = x, rate
        self.levels, energy = band_levels(x, rate)
        self.speech = energy > energy.max() - 40.0
        self.floor = self.levels.max(axis=1, keepdims=True) - 50.0

    def lsd(self, y, rate):
        levels, _ = band_levels(y, rate)
        k = min(len(levels), len(self.levels))
        s = np.maximum(self.levels[:k], self.floor[:k])
        d = np.maximum(levels[:k], self.floor[:k])
        per_frame = np.sqrt(np.mean((s - d) ** 2, axis=1))
        return float(per_frame[self.speech[:k]].mean())


def snr(src, dec):
    k = min(len(src), len(dec))
    s, d = src[:k], dec[:k]
    m = s != 0
    return 10 * np.log10(np.sum(s[m] ** 2) / np.sum((d[m] - s[m]) ** 2))


def lag(src, dec, rate):
    """The delay of dec against src in samples (within 100 ms), by cross-correlating 4 s of
    speech (LAME's encoder delay is about 1100 samples, which ffmpeg does not remove when it
    finds no LAME tag)."""
    reach = rate // 10
    a = src[rate:5 * rate]
    b = dec[rate - reach:5 * rate + reach]
    n = 1 << (len(a) + len(b)).bit_length()
    xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)[:2 * reach + 1]
    return int(np.argmax(xc)) - reach


def shift(y, t):
    """y delayed by -t samples: aligned with the source when t = lag(src, y)."""
    return y[t:] if t >= 0 else np.concatenate([np.zeros(-t), y])


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(ROOT, "build", "aloud"))
    ap.add_argument("--text", nargs="+", default=[os.path.join(ROOT, "text", "news.txt")])
    ap.add_argument("--formats", default="opus,mp3")
    ap.add_argument("--opus-modes", default="voice/20,music/10",
                    help="signal/frame-ms pairs, e.g. voice/20,music/10,music/20")
    ap.add_argument("--complexities", default="0,1,2,3,4,5,6,7,8,9,10")
    ap.add_argument("--opus-kbps", default="24,32,40,48")
    ap.add_argument("--qualities", default="0,1,2,3,4,5,6,7,8,9")
    ap.add_argument("--mp3-kbps", default="48,56,64,80")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="aloud-codec-")
    tool = os.path.join(d, "opus_grid")
    opus = subprocess.run(["pkg-config", "--cflags", "--libs", "opus"], capture_output=True,
                          text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-I", os.path.join(ROOT, "src", "lib", "media"),
                    os.path.join(HERE, "opus_grid.c"),
                    os.path.join(ROOT, "src", "lib", "media", "resample.c"),
                    "-o", tool] + opus + ["-lm"], check=True)
    text = os.path.join(d, "text.txt")
    with open(text, "w") as out:
        out.write("\n\n".join(open(t).read() for t in args.text))
    wav = os.path.join(d, "src.wav")
    subprocess.run([args.aloud, "-q", "--loudness", "off", "-f", "wav", text, "-o", wav],
                   check=True)
    src, rate = read_wav(wav)
    ref = Reference(src, rate)
    print("source: %.1f s of speech at %d Hz, %d speech frames" % (len(src) / rate, rate,
                                                                  ref.speech.sum()))
    formats = args.formats.split(",")
    print()
    print("| Opus mode | complexity | kb/s | size (bytes) | encoder CPU | mel LSD | SNR |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    src24 = os.path.join(d, "src24.f32")
    grid = [(m, k, c) for m in args.opus_modes.split(",") for k in args.opus_kbps.split(",")
            for c in args.complexities.split(",")]
    for mode, kbps, c in grid if "opus" in formats else []:
        signal, frame_ms = mode.split("/")
        dec = os.path.join(d, "dec.f32")
        line = subprocess.run([tool, wav, c, str(int(kbps) * 1000), signal, frame_ms, dec,
                               src24], capture_output=True, text=True,
                              check=True).stdout.split()
        y = np.fromfile(dec, dtype=np.float32).astype(np.float64)
        s24 = np.fromfile(src24, dtype=np.float32).astype(np.float64)
        y = shift(y, lag(s24, y, 24000))
        print("| %s | %s | %s | %s | %s s | %.3f dB | %.2f dB |"
              % (mode, c, kbps, line[0], line[1], ref.lsd(y, 24000), snr(s24, y)))
        sys.stdout.flush()
    print()
    print("| LAME quality | kb/s | size (bytes) | lame CPU | mel LSD | SNR |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kbps in args.mp3_kbps.split(",") if "mp3" in formats else []:
        for q in args.qualities.split(","):
            mp3 = os.path.join(d, "o.mp3")
            before = child_cpu()
            subprocess.run(["lame", "--quiet", "-m", "m", "--cbr", "-b", kbps, "-q", q,
                            "--resample", str(rate / 1000), wav, mp3], check=True)
            cpu = child_cpu() - before
            raw = subprocess.run(["ffmpeg", "-v", "error", "-i", mp3, "-f", "s16le", "-ac", "1",
                                  "-ar", str(rate), "-"], capture_output=True, check=True).stdout
            y = np.frombuffer(raw, dtype="<i2") / 32768.0
            y = shift(y, lag(src, y, rate))
            print("| %s | %s | %d | %.2f s | %.3f dB | %.2f dB |"
                  % (q, kbps, os.path.getsize(mp3), cpu, ref.lsd(y, rate), snr(src, y)))
            sys.stdout.flush()
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)


if __name__ == "__main__":
    main()
