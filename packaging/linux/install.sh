#!/usr/bin/env bash
# Install the unpacked AIDesk bundle for the current user: the program in
# ~/.local/opt/aidesk, the `aidesk` command in ~/.local/bin, the menu entry and its icon.
# Run it from the unpacked folder: `./install.sh` (`./install.sh --uninstall` removes it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/aidesk"
bin="$HOME/.local/bin"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt" "$bin/aidesk" "$data/applications/aidesk.desktop"
  rm -f "$data"/icons/hicolor/*/apps/aidesk.png
  echo "AIDesk removed. Your data (workspaces, history) stays in $data/AIDesk."
  exit 0
fi
mkdir -p "$opt" "$bin" "$data/applications"
cp -a "$here/aidesk/." "$opt/"
ln -sf "$opt/aidesk" "$bin/aidesk"
for size in 16 32 48 64 128 256 512; do
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$here/icons/aidesk-$size.png" "$data/icons/hicolor/${size}x${size}/apps/aidesk.png"
done
sed "s|^Exec=aidesk|Exec=$opt/aidesk|" "$here/aidesk.desktop" > "$data/applications/aidesk.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "AIDesk installed: find it in your applications menu, or run 'aidesk' ($bin)."
