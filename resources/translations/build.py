"""Extract the interface's texts (lupdate), fill in the Vietnamese ones, compile the .qm (lrelease).

Run after changing any visible text: `python -m resources.translations.build`. The tests fail when
a text in the code has no Vietnamese translation or the .qm is older than the texts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from resources.translations.vi import VI

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TS = HERE / "console_vi.ts"
QM = HERE / "console_vi.qm"
SOURCE_DIRS = ("console", "widgets", "layouts", "connectors")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with PySide6-Essentials)")
    return found


def sources() -> list[str]:
    files = [str(p.relative_to(ROOT)) for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    return [*files, "main.py"]


def extract(ts: Path) -> None:
    subprocess.run([tool("pyside6-lupdate"), *sources(), "-ts", str(ts), "-no-obsolete", "-locations", "none"],
                   cwd=ROOT, check=True, capture_output=True)


def missing_texts(ts: Path) -> list[str]:
    tree = ET.parse(ts)
    return sorted({m.findtext("source") or "" for m in tree.iter("message")} - set(VI))


def fill(ts: Path) -> None:
    tree = ET.parse(ts)
    root = tree.getroot()
    root.set("language", "vi_VN")
    root.set("sourcelanguage", "en")
    for message in root.iter("message"):
        text = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        if text in VI:
            translation.text = VI[text]
            translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)


def compile_qm(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)


def main() -> int:
    extract(TS)
    missing = missing_texts(TS)
    fill(TS)
    compile_qm(TS, QM)
    if missing:
        print("texts without a Vietnamese translation (add them to vi.py):")
        for text in missing:
            print("  ", text)
        return 1
    print(f"wrote {TS.name} and {QM.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
