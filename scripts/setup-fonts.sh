#!/usr/bin/env bash
# Make sure a CJK (Chinese) font exists for figures. Part of `make setup`.
# Windows / macOS: the system fonts (Microsoft YaHei, SimHei, PingFang SC) are found by balance itself.
set -euo pipefail
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n1)" ]; then
  exit 0
fi
case "$(uname -s)" in Darwin|MINGW*|MSYS*|CYGWIN*) exit 0 ;; esac
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo -n"
  echo "setup: installing a Chinese font (fonts-wqy-microhei) / 正在安装中文字体"
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null) || {
    echo "setup: 无法安装中文字体 / could not install a CJK font. Install fonts-noto-cjk or fonts-wqy-microhei," >&2
    echo "       or set BALANCE_CJK_FONT=/path/to/font.ttf" >&2
    exit 1
  }
else
  echo "setup: 未找到中文字体 / no CJK font found and no apt-get: install Noto Sans CJK SC or set BALANCE_CJK_FONT" >&2
  exit 1
fi
