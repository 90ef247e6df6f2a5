#!/bin/sh
# Makes every text file end with exactly one newline (a fixer: it rewrites files).
set -eu
find . -type f \( -name '*.js' -o -name '*.json' -o -name '*.md' \) -not -path './node_modules/*' |
  while IFS= read -r file; do
    if [ -s "$file" ] && [ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" != '\n' ]; then
      printf '\n' >>"$file"
      echo "added a final newline: $file" >&2
    fi
  done
