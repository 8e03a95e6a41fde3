#!/usr/bin/env bash
# The installer ships inside the package (structcheck/_scripts/install_deepmd.sh) so that a
# wheel user has it too: `python -m structcheck.install_deepmd` or `structcheck doctor --install-deepmd`.
exec bash "$(dirname "$0")/../structcheck/_scripts/install_deepmd.sh" "$@"
