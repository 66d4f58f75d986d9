#!/usr/bin/env bash
# Creates the skeleton of a library or service package: package.json, tsconfig.json, src/index.ts.
# usage: scripts/new-package.sh libs|services <name> "<description>" [ref-lib ...]
set -euo pipefail
kind=$1; name=$2; desc=$3; shift 3
dir="$kind/$name"
mkdir -p "$dir/src"
refs=""
for r in "$@"; do refs="$refs{ \"path\": \"../../libs/$r\" },"; done
refs="[${refs%,}]"
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{
  "name": "@stella/$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "scripts": {
    "build": "tsc -b",
    "test": "jest --config ../../jest.config.js --rootDir ../.. $dir"
  },
  "dependencies": {}
}
JSON
[ -f "$dir/tsconfig.json" ] || cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"],
  "references": $refs
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
echo "created $dir"
