"""``balance doctor``: is the environment ready (CJK font, the python3 kernel)?"""
from __future__ import annotations

import argparse
import sys

from balance import __version__
from balance.cli._args import EXIT_FAILED, EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    ok = True
    print(f"balance {__version__}")
    try:
        from balance.reporting.fonts import find_cjk_font

        f = find_cjk_font()
        print(f"中文字体 / CJK font: {f.family} ({f.path})")
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - report whatever the font lookup says
        ok = False
        print(f"✗ {exc}", file=sys.stderr)
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
        print(f"内核 / kernel python3: {spec.argv[0]}")
    except Exception as exc:  # noqa: BLE001
        ok = False
        print(f"✗ 找不到 python3 内核 / kernel python3 not found: {exc}", file=sys.stderr)
    return EXIT_OK if ok else EXIT_FAILED



def add_doctor(sub) -> None:
    """``doctor``."""
    d = sub.add_parser("doctor", help="检查环境 / check the environment (fonts, kernel)")
    d.set_defaults(func=_cmd_doctor)
