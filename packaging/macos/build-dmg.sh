#!/usr/bin/env bash
# macOS: build AIDesk.app with PyInstaller and wrap it in a .dmg (run on a Mac).
#   packaging/macos/build-dmg.sh            # unsigned, for testing
#   CODESIGN_IDENTITY="Developer ID Application: …" NOTARY_PROFILE=aidesk \
#     packaging/macos/build-dmg.sh          # signed and notarized, for users
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m venv .venv-mac
.venv-mac/bin/pip install -q -e . "pyinstaller>=6.10"
.venv-mac/bin/pyinstaller --noconfirm --clean aidesk.spec
version="$(.venv-mac/bin/python -c 'import aidesk; print(aidesk.__version__)')"
app="dist/AIDesk.app"
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/aidesk" --smoke
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$app"
fi
dmg="dist/AIDesk-$version-macos-$(uname -m).dmg"
hdiutil create -volname AIDesk -srcfolder "$app" -ov -format UDZO "$dmg"
if [ -n "${NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
fi
echo "Built $dmg"
