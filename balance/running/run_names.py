"""Run names in the output folder (``--out DIR``) and the output folder's two errors.

The run name is the params file's stem and becomes ``DIR/<run>.html``, ``DIR/<run>.ipynb`` and
``DIR/<run>/``; :func:`run_name_problem` says why a name cannot be one (the rules are listed in
:mod:`balance.running.outdir`'s docstring). :func:`printable` shows control and invisible
characters of any user text as escapes. :class:`UnsafeOutput` (a refused delete, replace or write)
and :class:`BatchLocked` (another batch holds the folder) live here so that the guarded deletes
(:mod:`balance.running.outdir`) and the batch lock (:mod:`balance.running.batch_lock`) share them.
Moved out of :mod:`balance.running.outdir`, which re-exports every name.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

__all__ = ["MAX_RUN_NAME_BYTES", "WINDOWS_FORBIDDEN", "RESERVED_RUN_NAMES", "UnsafeOutput", "BatchLocked",
           "printable", "run_name_problem", "run_name_message", "run_key"]

#: Longest run name accepted, in UTF-8 bytes: ``.<run>.<pid>.tmp.ipynb`` must stay within the
#: 255-byte file-name limit of common file systems.
MAX_RUN_NAME_BYTES = 200

#: Characters Windows does not allow in file names (the output folder may be a Windows share).
WINDOWS_FORBIDDEN = '<>:"|?*'
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                    *(f"COM{i}" for i in [*"123456789", "¹", "²", "³"]),
                    *(f"LPT{i}" for i in [*"123456789", "¹", "²", "³"])}
#: Names taken by the batch's own files in ``DIR`` (compared case-insensitively).
RESERVED_RUN_NAMES = {"index"}

_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"}


class UnsafeOutput(Exception):
    """A delete, replace or write in the output folder was refused (message: Chinese / English)."""


class BatchLocked(Exception):
    """Another batch holds the output folder (message: Chinese / English, naming that batch)."""

    def __init__(self, message: str, holder: dict | None = None):
        super().__init__(message)
        self.holder = holder or {}


# --------------------------------------------------------------------------------------------
def printable(text: object) -> str:
    """``text`` with control, invisible-formatting and undecodable characters shown as escapes
    (``\\x1b``, ``\\u202e``; a byte that was not valid UTF-8 in a file name as ``\\xff``), so a
    name can be printed, written to CSV and shown in HTML without acting on the terminal or page."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if cat not in _INVISIBLE or ch == " ":
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # surrogateescape: an undecodable byte of a file name
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def run_name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` cannot be a run name — ``(Chinese, English)`` — or ``None`` when it is a plain
    name (see the module docstring for the rules)."""
    if not name:
        return "文件名为空", "the file name is empty"
    if set(name) == {"."}:
        return (f"“{name}”只由点组成，会指向输出文件夹本身或其上级文件夹",
                f"'{name}' is made of dots only and would name the output folder or its parent")
    if name.startswith("."):
        return "文件名以点开头（隐藏文件）", "the name starts with a dot (a hidden file)"
    if "/" in name or "\\" in name:
        return "文件名含路径分隔符（/ 或 \\）", "the name contains a path separator (/ or \\)"
    bad = sorted({ch for ch in name if unicodedata.category(ch) in _INVISIBLE and ch != " "})
    if bad:
        shown = ", ".join(printable(ch) for ch in bad)
        return (f"文件名含控制字符、不可见字符或不是文字的字节（{shown}）",
                f"the name contains control or invisible characters, or bytes that are not text ({shown})")
    bad = sorted({ch for ch in name if ch in WINDOWS_FORBIDDEN})
    if bad:
        shown = " ".join(bad)
        return (f"文件名含 Windows 文件名中不允许的字符：{shown}",
                f"the name contains characters not allowed in Windows file names: {shown}")
    if name != name.strip():
        return "文件名以空格开头或结尾", "the name starts or ends with a space"
    if name.endswith("."):
        return "文件名以点结尾（Windows 会去掉它）", "the name ends with a dot (Windows drops it)"
    if name.casefold() in RESERVED_RUN_NAMES:
        return (f"“{name}”是批次目录页的名称（会覆盖 {name}.html）",
                f"'{name}' is the name of the batch's index page (it would overwrite index.html)")
    if name.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        return (f"“{name}”是 Windows 的设备名（CON、NUL、COM1 …），不能作文件名",
                f"'{name}' is a Windows device name (CON, NUL, COM1 …) and cannot name a file")
    if len(name.encode("utf-8")) > MAX_RUN_NAME_BYTES:
        return (f"文件名过长（{len(name.encode('utf-8'))} 字节，最多 {MAX_RUN_NAME_BYTES} 字节）",
                f"the name is too long ({len(name.encode('utf-8'))} bytes, at most {MAX_RUN_NAME_BYTES})")
    return None


def run_name_message(name: str, params_file: str | Path) -> str | None:
    """One bilingual line naming the params file, or ``None`` when ``name`` is a plain name."""
    why = run_name_problem(name)
    if why is None:
        return None
    f = printable(params_file)
    return (f"参数文件名不能作运行名称：{f}：{why[0]}。请改名，只用文字、数字、空格、- 和 _（如 130102_2025.yaml）"
            f" / the params file's name cannot be a run name: {f}: {why[1]}; rename it using letters, digits, "
            f"spaces, - and _ (e.g. 130102_2025.yaml)")


def run_key(name: str) -> str:
    """Key under which two run names collide on a case-insensitive file system (Windows, macOS)."""
    return unicodedata.normalize("NFC", name).casefold()
