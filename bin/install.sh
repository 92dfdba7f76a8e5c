#!/bin/sh
# deno task install: links bin/pstm into $PSTM_BIN (default ~/.local/bin).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PSTM_BIN:-$HOME/.local/bin}
mkdir -p "$bin"
ln -sf "$root/bin/pstm" "$bin/pstm"
echo "installed $bin/pstm -> $root/bin/pstm"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "add $bin to PATH, e.g. echo 'export PATH=\"$bin:\$PATH\"' >> ~/.profile" ;;
esac
