#!/usr/bin/env bash
# Makes sample-call.ulaw: a customer's two questions (sample-call.txt, one per line) spoken by espeak-ng, with a
# pause of 1.2 s after each, as 8 kHz mono mu-law (what Twilio Media Streams carry). Needs: apt-get install espeak-ng sox
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
n=0
while IFS= read -r line; do
  n=$((n + 1))
  espeak-ng -s 150 -w "$work/q$n.wav" "$line"
  sox "$work/q$n.wav" -r 8000 -c 1 "$work/p$n.wav" pad 0.3 1.2
done < sample-call.txt
sox "$work"/p*.wav -r 8000 -c 1 -e u-law -t raw sample-call.ulaw
rm -rf "$work"
