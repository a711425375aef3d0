"""Evidence benchmark: hashing and vaulting large files against the disk's own speed, with
peak memory; OCR pages per second (and character error rate) on FICTIONAL pages; the
perceptual-hash distances of copies and of unrelated pictures.

    python bench/evidence.py                      # 100 MB and 1 GB files, 2 OCR pages each
    python bench/evidence.py --sizes 20 100 --ocr-pages 1 --dir /tmp

Each file is read cold: its pages are dropped from the page cache (posix_fadvise
DONTNEED, this file only) before each measurement. The disk's own speed is dd with
O_DIRECT, which bypasses the cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from rapidfuzz.distance import Levenshtein

from credible.config import Settings
from credible.evidence import add_evidence, file_sha256, read_file
from credible.simulate import SCAN_SAMPLES, render_page, render_scene
from credible.store import init_store, now, schema

MB = 1_000_000


def _drop_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _measure(path: Path, step: Callable[[], Any]) -> tuple[float, int]:
    """Seconds and peak Python heap (bytes) of one cold run of ``step``."""
    _drop_cache(path)
    tracemalloc.start()
    t0 = time.perf_counter()
    step()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def _plain_read(path: Path) -> None:
    with path.open("rb") as fh:
        while fh.read(1 << 20):
            pass


def _plain_copy(path: Path, dest: Path) -> None:
    """Read and write the file in 1 MiB chunks (what a vault copy costs without crypto)."""
    with path.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)
    dest.unlink()


def _dd_direct(path: Path) -> float:
    """MB/s dd reports reading the file with O_DIRECT (the disk, no page cache)."""
    out = subprocess.run(
        ["dd", f"if={path}", "of=/dev/null", "bs=4M", "iflag=direct"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    seconds = float(re.findall(r"([\d.]+) s,", out)[-1])
    return path.stat().st_size / MB / seconds


def _make_file(path: Path, size_mb: int) -> None:
    block = os.urandom(1 << 20)  # one random MiB, varied per block so nothing compresses
    with path.open("wb") as fh:
        for i in range(size_mb * MB // len(block)):
            fh.write(i.to_bytes(8, "big") + block[8:])
        fh.write(block[: size_mb * MB % len(block)])


def hashing(sizes: list[int], folder: Path) -> list[dict[str, Any]]:
    rows = []
    for size_mb in sizes:
        os.environ["CREDIBLE_HOME"] = str(folder / f"home{size_mb}")
        store, _, _ = init_store(Settings.resolve(str(folder / f"s{size_mb}.db"), actor="bench"))
        with store.write("bench") as uow:
            uow.insert(schema.sources, name="FICTIONAL bench", created_at=now())
        path = folder / f"blob{size_mb}.bin"
        _make_file(path, size_mb)
        sha = file_sha256(path)[0]
        steps: dict[str, Callable[[], Any]] = {
            "plain read": lambda p=path: _plain_read(p),
            "plain copy (read + write)": lambda p=path: _plain_copy(p, p.with_suffix(".copy")),
            "sha256": lambda p=path: file_sha256(p),
            "vault put": lambda p=path, s=sha, st=store: st.vault.put(p, s),
            "evidence add": lambda p=path, st=store: add_evidence(
                st, p, source="FICTIONAL bench", actor="bench"
            ),
        }
        disk = _dd_direct(path)
        rows.append({"size": size_mb, "step": "dd O_DIRECT (disk)", "mbs": disk, "peak": None})
        for name, step in steps.items():
            if name == "evidence add":
                store.vault.discard(sha)  # so that add writes the vault copy again
            seconds, peak = _measure(path, step)
            rows.append({"size": size_mb, "step": name, "mbs": size_mb / seconds, "peak": peak})
        store.vault.discard(sha)
        store.close()
        path.unlink()
    return rows


def _a4_page(lang: str) -> tuple[Image.Image, str]:
    """An A4 page at 300 dpi (2480 px wide) filled with the language's sample lines."""
    script, lines = SCAN_SAMPLES[lang]
    body = (lines * 6)[:30]
    return render_page(body, script, size=44, width=2480), " ".join(body)


def _cer(truth: str, read: str, script: str) -> float:
    flat = " ".join(read.split())
    if script == "Hans":
        truth, flat = re.sub(r"\s", "", truth), re.sub(r"\s", "", flat)
    return Levenshtein.distance(truth, flat) / max(1, len(truth))


def ocr(pages: int, folder: Path) -> list[dict[str, Any]]:
    rows = []
    for lang in sorted(SCAN_SAMPLES):
        script = SCAN_SAMPLES[lang][0]
        image, truth = _a4_page(lang)
        png = folder / f"{lang}.png"
        image.save(png)
        pdf = folder / f"{lang}.pdf"
        image.convert("RGB").save(
            pdf,
            "PDF",
            resolution=300,
            save_all=True,
            append_images=[image.convert("RGB")] * (pages - 1),
        )
        for label, path, n, langs in (
            (f"{lang} image", png, 1, lang),
            (f"{lang} image, default languages", png, 1, None),
            (f"{lang} scanned PDF ({pages} pages)", pdf, pages, lang),
        ):
            t0 = time.perf_counter()
            found = read_file(path, langs) if langs else read_file(path)
            seconds = time.perf_counter() - t0
            rows.append(
                {
                    "what": label,
                    "pages_s": n / seconds,
                    "cer": _cer(" ".join([truth] * n), found.text or "", script),
                    "pages": found.ocr_pages,
                }
            )
    return rows


def phash_distances(seeds: int) -> dict[str, tuple[int, int]]:
    from credible.evidence.extract.image import perceptual_hash

    def h(image: Image.Image, quality: int = 90) -> int:
        import io

        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality)
        buf.seek(0)
        return int(perceptual_hash(Image.open(buf)), 16)

    copies, unrelated = [], []
    for seed in range(seeds):
        original = render_scene(seed)
        base = h(original)
        for scale, quality in ((0.5, 90), (0.25, 60), (1.0, 25), (0.75, 40)):
            copy = original.resize((int(640 * scale), int(480 * scale)), Image.Resampling.LANCZOS)
            copies.append(bin(base ^ h(copy, quality)).count("1"))
        unrelated.append(bin(base ^ h(render_scene(seed + 10_000))).count("1"))
    return {"copies": (min(copies), max(copies)), "unrelated": (min(unrelated), max(unrelated))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="MB")
    parser.add_argument("--ocr-pages", type=int, default=2)
    parser.add_argument("--phash-seeds", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None, help="where the files go (a disk)")
    args = parser.parse_args()
    print(f"# evidence benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# cores {os.cpu_count()}, load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="credible-bench-") as tmp:
        folder = Path(tmp)
        print("\n| file | step | MB/s | peak Python heap |")
        print("|---|---|---:|---:|")
        for r in hashing(args.sizes, folder):
            peak = "-" if r["peak"] is None else f"{r['peak'] / (1 << 20):.1f} MiB"
            print(f"| {r['size']:,} MB | {r['step']} | {r['mbs']:,.0f} | {peak} |")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nprocess peak RSS: {rss:.0f} MiB")
        print("\n| OCR of an A4 page (30 lines, 300 dpi) | pages/s | CER |")
        print("|---|---:|---:|")
        for r in ocr(args.ocr_pages, folder) if args.ocr_pages else []:
            print(f"| {r['what']} | {r['pages_s']:.2f} | {r['cer']:.1%} |")
    d = phash_distances(args.phash_seeds)
    print(f"\nperceptual hash, bits of 64 ({args.phash_seeds} FICTIONAL scenes):")
    print(
        f"resized/recompressed copies {d['copies'][0]}-{d['copies'][1]}, "
        f"unrelated pictures {d['unrelated'][0]}-{d['unrelated'][1]}"
    )


if __name__ == "__main__":
    main()
