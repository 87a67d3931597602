"""Command line: ``balance validate|assess|batch|report|doctor ...``."""
from __future__ import annotations

import argparse
import sys


def _cmd_doctor(args: argparse.Namespace) -> int:
    print("balance: ok")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="balance", description="义务教育优质均衡发展评估 / balanced compulsory education assessment")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("doctor", help="检查环境 / check the environment (fonts, kernel)")
    d.set_defaults(func=_cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
