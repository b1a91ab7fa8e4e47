#!/usr/bin/env bash
# Re-derives Proto/onnx.proto3 from Debian's python3-onnx (ONNX 1.12): ONNX's own generator (gen_proto.py) turns the
# package's onnx.in.proto into onnx.proto3, exactly as the ONNX project builds the file it publishes.
# Usage: bash src/Nabla.Onnx/Proto/regenerate.sh [OUT]   (OUT defaults to this folder's onnx.proto3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/onnx.proto3}"
pkg="$(/usr/bin/python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp "$pkg/onnx.in.proto" "$pkg/gen_proto.py" "$work/"
(cd "$work" && /usr/bin/python3 gen_proto.py onnx --protoc_path /bin/true >/dev/null)
cp "$work/onnx.proto3" "$out"
echo "wrote $out (from $pkg/onnx.in.proto, onnx $(/usr/bin/python3 -c 'import onnx; print(onnx.__version__)'))"
