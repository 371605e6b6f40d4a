#!/usr/bin/python3
"""OptOutGate's JSON/REST API from Python's standard library only (urllib, json, csv): an independent HTTP client.

What a platform team without gRPC does: configure an inbound address, add opt-outs, check a batch, list the entries,
read the history, download the CSV export, and meet the errors (no key, wrong role, malformed JSON, unknown route).
No generated code and no third-party package: the routes and JSON names are the README's ("JSON/REST API").

    /usr/bin/python3 rest_client.py --base http://127.0.0.1:8080 --admin-key KEY --check-key KEY --read-key KEY

Output: "OK: <check>" or "FAIL: <check>: <reason>" lines, then "N passed, N failed". Exit code 0 = all passed,
1 = a check failed, 2 = bad usage.
"""

import argparse
import csv
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from checks import Checks


class Gate:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method, path, body=None, raw=None, content_type="application/json"):
        """Returns (status, headers, body bytes); HTTP errors are answers too, not exceptions."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode("utf-8"))
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.key:
            request.add_header("Authorization", "Bearer " + self.key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method, path, body=None, **kwargs):
        status, headers, payload = self.call(method, path, body, **kwargs)
        return status, headers.get_content_type(), json.loads(payload.decode("utf-8")) if payload else None


def q(value):
    """A query value: '+' must go as %2B (in a query string '+' is a space)."""
    return urllib.parse.quote(value, safe="")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--check-key", required=True)
    parser.add_argument("--read-key", required=True)
    parser.add_argument("--sender", default="+18005550141")
    args = parser.parse_args()

    checks = Checks()
    admin, dispatcher, reader, anonymous = (Gate(args.base, k) for k in (args.admin_key, args.check_key, args.read_key, None))
    sender = args.sender
    recipients = ["+14155550100", "+14155550101"]

    status, _, address = admin.json("PUT", "/v1/inbound-addresses/" + q(sender), {"description": "python"})
    checks.check("PUT an inbound address", status == 200 and address["sender"] == sender, "%s %s" % (status, address))

    status, _, added = admin.json("POST", "/v1/optouts:add", {"scope": "SCOPE_SENDER", "sender": sender, "recipients": recipients + ["0123"], "reason": "python client"})
    outcomes = [r["outcome"] for r in added.get("results", [])] if status == 200 else []
    checks.check("add opt-outs: one result per recipient", outcomes == ["RECIPIENT_OUTCOME_ADDED", "RECIPIENT_OUTCOME_ADDED", "RECIPIENT_OUTCOME_INVALID_RECIPIENT"], "%s %s" % (status, added))
    sequence = int(added.get("sequence", 0)) if status == 200 else 0

    status, _, checked = dispatcher.json("POST", "/v1/checks", {"sender": sender, "smsType": "SMS_TYPE_MARKETING", "recipients": ["+14155550100", "+14155550109"], "minSequence": sequence})
    checks.check("check a batch: the opted-out recipient is blocked, the other allowed",
                 status == 200 and checked["verdicts"] == ["VERDICT_BLOCKED_OPTED_OUT", "VERDICT_ALLOWED"], "%s %s" % (status, checked))

    status, _, listed = reader.json("GET", "/v1/entries?filter.sender=" + q(sender) + "&pageSize=10")
    listed_recipients = sorted(e["recipient"] for e in listed.get("entries", [])) if status == 200 else []
    checks.check("list entries filtered by sender", listed_recipients == recipients, "%s %s" % (status, listed))

    status, _, history = reader.json("GET", "/v1/history?filter.sender=" + q(sender))
    records = history.get("records", []) if status == 200 else []
    opt_outs = sorted(r["recipient"] for r in records if r["action"] == "CHANGE_ACTION_OPT_OUT" and r["reason"] == "python client")
    configured = [r for r in records if r["action"] == "CHANGE_ACTION_CONFIG_PUT"]
    checks.check("read the history: the address configured, then the opt-outs", opt_outs == recipients and len(configured) == 1, "%s %s" % (status, history))

    status, headers, payload = reader.call("GET", "/v1/entries:export?filter.sender=" + q(sender))
    disposition = headers.get("Content-Disposition", "")
    rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8"), newline=""))) if status == 200 else []
    checks.check("download the CSV export as a file",
                 status == 200 and headers.get_content_type() == "text/csv" and disposition.startswith("attachment")
                 and sorted(r["recipient"] for r in rows) == recipients and all(r["sender"] == sender and r["reason"] == "python client" for r in rows),
                 "%s %s %s %r" % (status, headers.get_content_type(), disposition, payload[:300]))

    status, content_type, error = anonymous.json("POST", "/v1/optouts:add", {"sender": sender})
    checks.check("no key: 401 with a JSON error", status == 401 and content_type == "application/json" and error["code"] == 16, "%s %s" % (status, error))

    status, _, error = reader.json("POST", "/v1/optouts:add", {"scope": "SCOPE_SENDER", "sender": sender, "recipients": recipients, "reason": "x"})
    checks.check("a read key cannot write: 403", status == 403 and error["code"] == 7, "%s %s" % (status, error))

    status, _, error = admin.json("POST", "/v1/optouts:add", raw=b'{"sender": ')
    checks.check("malformed JSON: 400", status == 400 and error["code"] == 3, "%s %s" % (status, error))

    status, _, error = admin.json("GET", "/v1/nothing-here")
    checks.check("unknown route: 404 with a JSON error", status == 404 and error["code"] == 5, "%s %s" % (status, error))

    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
