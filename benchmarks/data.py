"""The benchmark's companies: exports at each size, made by the sample generator and cached."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from leadbridge import sample

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
SAMPLE_DATA = ROOT.parent / "sample_data"


@dataclass(frozen=True)
class Size:
    """One company size: the generator's parameters (None: the committed sample_data/)."""

    name: str
    techs: int | None = None
    months: int | None = None
    jobs_per_month: int = 90
    description: str = ""

    def folder(self) -> Path:
        """Where this size's exports are (generated on first use)."""
        return SAMPLE_DATA if self.techs is None else CACHE / self.name / "exports"

    def params(self) -> dict:
        return {"techs": self.techs, "months": self.months, "jobs_per_month": self.jobs_per_month,
                "seed": sample.DEFAULT_SEED, "end_month": "2026-10"}


# The generator gives about 6.2 leads per tech and month. Every size has the same shape (planted
# bad rows included) except its scale; the 10M company runs 18 jobs per tech and month instead of
# 90, so that its jobs export stays near 1.2 GB (26 million rows) instead of 130 million rows.
SIZES = {
    "sample": Size("sample", description="sample_data/: 40 techs, 24 months (outcomes in Excel)"),
    "100k": Size("100k", techs=530, months=30, description="530 techs, 30 months"),
    "1m": Size("1m", techs=5300, months=30, description="5,300 techs, 30 months"),
    "10m": Size("10m", techs=13400, months=120, jobs_per_month=18,
                description="13,400 techs, 120 months, 18 jobs per tech and month"),
}

# The export files in import order: the roster first, so leads find their techs' branches.
FILES = ("technicians", "leads", "outcomes", "payouts", "jobs", "attendance")


def exports(size: Size) -> dict[str, Path]:
    """The size's export files by table (generating them when missing or made differently)."""
    folder = size.folder()
    if size.techs is not None:
        stamp = folder / "generated.json"
        wanted = size.params()
        if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
            stamp.unlink(missing_ok=True)
            sample.generate(folder, techs=size.techs, months=size.months,
                            jobs_per_month=size.jobs_per_month, seed=sample.DEFAULT_SEED,
                            end_month="2026-10", excel=False)
            stamp.write_text(json.dumps(wanted))
    found = {}
    for name in FILES:
        matches = sorted(folder.glob(f"{name}.*"))
        matches = [m for m in matches if m.suffix in (".csv", ".xlsx")]
        if matches:
            found[name] = matches[0]
    return found


def describe(size: Size) -> dict:
    """The size for the results file."""
    return asdict(size)
