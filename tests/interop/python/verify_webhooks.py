#!/usr/bin/env python3
"""Verifies Standard Webhooks signatures with Python's standard library only (hmac, hashlib, base64): an implementation
independent of the gate's .NET one. Input: a JSON file with a list of {"secret", "id", "timestamp", "signature",
"body_base64"}. Prints one line per message and exits 1 if any message has no valid "v1," signature."""
import base64
import hashlib
import hmac
import json
import sys


def verifies(secret: str, msg_id: str, timestamp: str, signature_header: str, body: bytes) -> bool:
    if not secret.startswith("whsec_"):
        return False
    key = base64.b64decode(secret[len("whsec_"):])
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signature_header.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        messages = json.load(f)
    bad = 0
    for m in messages:
        ok = verifies(m["secret"], m["id"], m["timestamp"], m["signature"], base64.b64decode(m["body_base64"]))
        print(("ok " if ok else "BAD ") + m["id"])
        bad += 0 if ok else 1
    print(f"{len(messages) - bad} of {len(messages)} verified")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
