#!/usr/bin/env bash
# Builds into .build/NAME and runs jest against that build, so several people (or agents)
# can test in one checkout without deleting each other's dist/. Usage: scripts/test-isolated.sh NAME [jest args]
set -euo pipefail
name=$1; shift
out=".build/$name"
rm -rf "$out"
npx tsc -p tsconfig.build.json --outDir "$out"
CCC_TEST_DIST="$out" node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
