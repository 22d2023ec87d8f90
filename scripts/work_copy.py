"""Your own copy of the notebooks: ``work/`` (git-ignored), so ``notebooks/`` stays as shipped.

``make lab`` runs this before JupyterLab starts (``make sync`` runs it alone). It brings the kit's notebooks
into the working copy without ever overwriting a cell you changed:

* a kit notebook you do not have yet is copied in;
* for a kit notebook that changed since your copy was made, every cell is matched by its cell id with the
  kit version your copy started from (kept in ``work/.kit/``): a cell you did not edit takes the kit's new
  version (source and outputs), a cell you edited stays yours, cells you added stay where you put them,
  cells you deleted stay deleted; a cell that both you and the kit changed stays yours and is reported,
  so you can compare it with ``notebooks/<name>``;
* nothing else in ``work/`` is touched, and nothing is deleted.

Running a cell is not editing it: only a cell's source (and type) counts.

    python scripts/work_copy.py                 # sync notebooks/ -> work/, print what happened
    python scripts/work_copy.py --kit K --work W
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "notebooks"
WORK = ROOT / "work"
BASE = ".kit"  # inside the working copy: the kit version each notebook was last synced from
PATTERN = "[0-9][0-9]_*.ipynb"


@dataclass
class Report:
    """What a sync did, one list per kind of change (notebook names, or ``name: detail``)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # name: how many cells came from the kit
    kept: list[str] = field(default_factory=list)  # name: cell changed by both sides, kept as yours
    unknown: list[str] = field(default_factory=list)  # in work/ without a base: left alone

    def lines(self) -> list[str]:
        out = [f"  new notebook: {name}" for name in self.added]
        out += [f"  updated: {entry}" for entry in self.updated]
        out += [f"  kept yours: {entry}" for entry in self.kept]
        out += [f"  not synced (no record of its kit version; rename it to get the kit's): {name}"
                for name in self.unknown]
        return out


def read(path: Path) -> dict[str, Any]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read notebook {path}: {error}") from error
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise SystemExit(f"{path} is not a notebook (no cell list)")
    return notebook


def write(path: Path, notebook: dict[str, Any]) -> None:
    """As nbformat writes it (indent 1, sorted keys), through a temporary file: never half a notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _id(cell: dict[str, Any], index: int) -> str:
    return str(cell.get("id") or f"#{index}")


def _text(cell: dict[str, Any]) -> tuple[str, str]:
    source = cell.get("source", "")
    return cell.get("cell_type", ""), "".join(source) if isinstance(source, list) else str(source)


Notebook = dict[str, Any]


def merge(base: Notebook, mine: Notebook, kit: Notebook) -> tuple[Notebook, int, list[str]]:
    """Three-way merge by cell id: returns (notebook, cells taken from the kit, conflicts described)."""
    base_cells = {_id(c, i): c for i, c in enumerate(base["cells"])}
    my_cells = {_id(c, i): c for i, c in enumerate(mine["cells"])}
    kit_ids = {_id(c, i) for i, c in enumerate(kit["cells"])}

    def edited(cell_id: str) -> bool:
        return cell_id not in base_cells or _text(my_cells[cell_id]) != _text(base_cells[cell_id])

    result: list[dict[str, Any]] = []
    taken, conflicts = 0, []
    for i, cell in enumerate(kit["cells"]):
        cell_id = _id(cell, i)
        kit_changed = cell_id not in base_cells or _text(cell) != _text(base_cells[cell_id])
        if cell_id in my_cells:
            if not edited(cell_id):
                taken += my_cells[cell_id] != cell
                result.append(cell)
                continue
            if kit_changed:
                conflicts.append(f"cell {cell_id} ({_title(cell)})")
            result.append(my_cells[cell_id])
        elif cell_id not in base_cells:  # new in the kit
            taken += 1
            result.append(cell)
        # else: you deleted it; it stays deleted (a kit change to it is reported)
        elif kit_changed:
            conflicts.append(f"cell {cell_id} ({_title(cell)}): you deleted it, the kit changed it")

    # your own cells, and kit cells the kit removed but you edited, after the cell they followed
    placed = {_id(c, i) for i, c in enumerate(result)}
    previous: str | None = None
    for i, cell in enumerate(mine["cells"]):
        cell_id = _id(cell, i)
        if cell_id not in placed and cell_id not in kit_ids and edited(cell_id):
            at = next((n + 1 for n, c in enumerate(result) if _id(c, n) == previous), 0 if previous is None
                      else len(result))
            result.insert(at, cell)
            placed.add(cell_id)
        elif cell_id not in placed and cell_id not in kit_ids:
            taken += 1  # removed from the kit, never edited by you: removed here too
            continue
        previous = cell_id
    return {**mine, "cells": result}, taken, conflicts


def _title(cell: dict[str, Any]) -> str:
    kind, text = _text(cell)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{kind}: {first[:50]}" if first else kind


def sync(kit_dir: Path = KIT, work_dir: Path = WORK) -> Report:
    """Bring every kit notebook into ``work_dir``; see the module docstring for the rules."""
    report = Report()
    base_dir = work_dir / BASE
    for kit_path in sorted(kit_dir.glob(PATTERN)):
        name = kit_path.name
        mine_path, base_path = work_dir / name, base_dir / name
        kit = read(kit_path)
        if not mine_path.exists():
            base_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kit_path, base_path)
            shutil.copyfile(kit_path, mine_path)
            report.added.append(name)
            continue
        if not base_path.exists():
            report.unknown.append(name)
            continue
        base = read(base_path)
        if base == kit:
            continue
        merged, taken, conflicts = merge(base, read(mine_path), kit)
        if merged != read(mine_path):
            write(mine_path, merged)
        write(base_path, kit)
        report.updated.append(f"{name}: {taken} cell(s) from the kit")
        report.kept += [f"{name}: {c}" for c in conflicts]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kit", type=Path, default=KIT, help="the shipped notebooks (default notebooks/)")
    parser.add_argument("--work", type=Path, default=WORK, help="your working copy (default work/)")
    args = parser.parse_args(argv)
    first = not args.work.exists()
    report = sync(args.kit, args.work)
    where = args.work.relative_to(ROOT) if args.work.is_relative_to(ROOT) else args.work
    if first:
        print(f"Your working copy of the notebooks: {where}/ ({len(report.added)} notebooks; git ignores it, "
              "make test uses notebooks/).")
    elif report.lines():
        print(f"Working copy {where}/ synced with the kit:")
        print("\n".join(report.lines()))
        if report.kept:
            print(f"  (cells kept as yours changed in the kit too: compare with {args.kit.name}/<notebook>)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
