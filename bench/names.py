"""Throughput of credible.names: romanise 1M names, key them, score 1M pairs.

The names are FICTIONAL: random combinations of 2-3 given names drawn from a pool of
common Uyghur and Kazakh name parts (written here in ULY), each name rendered in one
script (ULY as is, UEY and USY through our own transliteration, ad hoc English-style
respellings, and Chinese characters built from the transcription lexicon). Seeded.

    .venv/bin/python bench/names.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from credible.names import name_keys_many, name_similarity_many, romanize_many
from credible.names._tables import han_names
from credible.names.uyghur import uly_to_uey, uly_to_usy

_POOL_TEXT = """abdukerim abdurehim abdulla abduweli abla adil ahmet alim aliye amine anwer arzigul
asiye ayshem aynur bahargul barat bilal dilber dilnur dilshat ekber elijan eli erkin
ershidin eysa ezimet gulbahar gulnar gulnisa gulzar hasan heyit ibrahim ilham imin
iminjan isa ismayil jamal kamil kerim mahmut memet memtimin merhaba mihray minewer
muhter nurmemet nurbiye nurgul nurmuhemmet omer osman patime perhat qurban rabiye
rahile reshide reyhan rozi rozigul sadiq salahidin sanawer shirip tahir tursun tursunay
turghun tohti turnisa ubul ugulay urkiye yasin yusup zohre zulpiye zumret nurlan serik
aygul dana erlan marat asqar baurzhan qayrat saltanat gulnara zhanar"""
POOL = _POOL_TEXT.split()


def adhoc(uly: str) -> str:
    return (
        uly.replace("x", "kh").replace("q", "k").replace("é", "e").replace("ö", "o")
        .replace("ü", "u").replace("gh", "g")
    )  # fmt: skip


def fictional_names(n: int, rng: np.random.Generator) -> list[str]:
    han = list(han_names())
    k = rng.integers(2, 4, size=n)
    idx = rng.integers(0, len(POOL), size=(n, 3))
    form = rng.integers(0, 5, size=n)
    out = []
    for i in range(n):
        words = [POOL[j] for j in idx[i, : k[i]]]
        uly = " ".join(words)
        f = form[i]
        if f == 0:
            out.append(uly.title())
        elif f == 1:
            out.append(uly_to_uey(uly))
        elif f == 2:
            out.append(uly_to_usy(uly).title())
        elif f == 3:
            out.append(adhoc(uly).title())
        else:
            out.append(
                "·".join(han[j % len(han)] + han[(j * 7) % len(han)] for j in idx[i, : k[i]])
            )
    return out


def timed(label: str, count: int, fn) -> tuple[str, int, float, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return label, count, dt, cpu, count / dt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(20261125)
    names = fictional_names(args.n, rng)
    other = fictional_names(args.n, rng)
    print(f"FICTIONAL names: {len(set(names)):,} distinct of {args.n:,}")
    rows = [
        timed("romanize_many (cold)", args.n, lambda: romanize_many(names)),
        timed("romanize_many (warm parts)", args.n, lambda: romanize_many(other)),
        timed("name_keys_many", args.n, lambda: name_keys_many(names)),
        # first call: every name of `other` is parsed here (those of `names` were parsed
        # by name_keys_many); later calls find every name in the registry of parsed names
        timed("name_similarity_many (first)", args.n, lambda: name_similarity_many(names, other)),
        timed("name_similarity_many (again)", args.n, lambda: name_similarity_many(other, names)),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load}"
    )
    print("wall-clock seconds (the machine is shared; CPU seconds of this process beside)")
    print(f"{'step':<30}{'items':>12}{'wall s':>9}{'cpu s':>8}{'items/s':>12}")
    for label, count, dt, cpu, rate in rows:
        print(f"{label:<30}{count:>12,}{dt:>9.2f}{cpu:>8.2f}{rate:>12,.0f}")


if __name__ == "__main__":
    main()
