#!/bin/sh
# Refuses the change (exit 2 = cancel, stderr is the reason) when a file holds something that
# looks like a credential.
set -u
found=$(grep -rnIE '(AKIA[0-9A-Z]{16}|sk-(live|proj)-[A-Za-z0-9]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)' \
  --exclude-dir=node_modules . || true)
if [ -n "$found" ]; then
  echo "possible secret: $(echo "$found" | head -n 1 | cut -c 1-120)" >&2
  exit 2
fi
