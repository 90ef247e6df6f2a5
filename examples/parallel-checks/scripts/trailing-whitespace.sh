#!/bin/sh
# Strips trailing spaces and tabs from every text file (a fixer: it rewrites files).
set -eu
find . -type f \( -name '*.js' -o -name '*.json' -o -name '*.md' \) -not -path './node_modules/*' |
  while IFS= read -r file; do
    if grep -q '[[:space:]]$' "$file"; then
      sed -i 's/[[:space:]]*$//' "$file"
      echo "fixed trailing whitespace: $file" >&2
    fi
  done
