"""What a batch returns: one RunResult per run, a BatchResult, and the batch's errors."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from balance.errors import plural
from balance.running.manifest import MANIFEST_COLUMNS
from balance.running.outdir import printable

#: ``pending`` is no manifest status: index.html's label, during a batch, for a run not finished yet.
STATUS_ZH = {"ok": "✓ 成功", "failed": "✗ 失败", "skipped": "↺ 未变化", "pending": "… 进行中/待生成"}


# --------------------------------------------------------------------------------------------
@dataclass
class RunResult:
    """One run's outcome (one manifest row)."""

    run: str
    notebook: str = ""
    status: str = "failed"  # ok | failed | skipped
    html: str = ""          # relative to DIR ("" when there is no briefing)
    ipynb: str = ""         # relative to DIR ("" when the notebook never executed)
    error: str = ""         # one line
    title: str = ""
    county_code: str = ""
    year: str = ""
    params: str = ""
    started: str = ""
    seconds: float | str = ""
    kernel_start: float | str = ""
    execution: float | str = ""
    export: float | str = ""
    input_hash: str = ""
    #: Not a manifest column: the problem table shown on the console when the run failed on bad
    #: input (several lines).
    details: str = ""

    def row(self) -> dict:
        d = asdict(self)
        for k in ("seconds", "kernel_start", "execution", "export"):
            if isinstance(d[k], float):
                d[k] = f"{d[k]:.2f}"
        return {k: ("" if d[k] is None else d[k]) for k in MANIFEST_COLUMNS}

    @classmethod
    def from_row(cls, row: dict) -> "RunResult":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})


class BatchError(RuntimeError):
    """The batch cannot use its output folder (``--out`` is a file, cannot be created or written,
    the manifest cannot be written). Message: Chinese, then English. ``exit_code`` is 2 when the
    batch was refused before any run started, 1 when writing failed half-way."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
        self.batch: "BatchResult | None" = None


class BatchInterrupted(KeyboardInterrupt):
    """The batch was stopped by a signal (SIGTERM, SIGHUP; Ctrl-C raises KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@dataclass
class BatchResult:
    """All runs of one batch, plus where the manifest and index are."""

    out_dir: Path
    runs: list[RunResult] = field(default_factory=list)
    manifest: Path | None = None
    index: Path | None = None
    seconds: float = 0.0
    #: problems met while the batch was already failing (e.g. the index page could not be written
    #: after an interrupt): the library does not print, the command line shows them
    warnings: list[str] = field(default_factory=list)

    def _with(self, status):
        return [r for r in self.runs if r.status == status]

    @property
    def ok(self) -> list[RunResult]:
        return self._with("ok")

    @property
    def failed(self) -> list[RunResult]:
        return self._with("failed")

    @property
    def skipped(self) -> list[RunResult]:
        return self._with("skipped")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or not self.runs else 0

    def summary(self) -> str:
        n, a, b, c = len(self.runs), len(self.ok), len(self.failed), len(self.skipped)
        lines = [f"完成 {n} 个运行：成功 {a}，失败 {b}，未变化跳过 {c}（{self.seconds:.1f} 秒）"
                 f" / {plural(n, 'run')}: {a} ok, {b} failed, {c} skipped ({self.seconds:.1f} s)"]
        for r in self.failed:
            lines.append(f"  ✗ {printable(r.run)}: {printable(r.error)}")
        if self.manifest:
            lines.append(f"清单 manifest: {self.manifest}")
        if self.index:
            lines.append(f"目录 index:    {self.index}")
        return "\n".join(lines)
