#!/bin/sh
# allowlist.sh: a command hook. hookspell runs it with the hook context as JSON on stdin and in
# HOOKSPELL_* environment variables. Exit 0 with no output = continue; exit 2 = cancel, with
# stderr as the reason; a JSON result on stdout ({"type":"modified","data":{...}}) is honoured too.
case "$HOOKSPELL_COMPONENT_NAME" in
  search | send_email | shell) exit 0 ;;
  *)
    echo "tool '$HOOKSPELL_COMPONENT_NAME' is not on the allowlist" >&2
    exit 2
    ;;
esac
