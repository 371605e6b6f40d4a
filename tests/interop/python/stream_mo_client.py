#!/usr/bin/python3
"""Carrier-adapter client for OptOutGate's Mo.StreamMo, on Debian's python3-grpcio (C-core).

An independent implementation of what a carrier adapter does: it configures an inbound address (Admin), streams MO
messages through StreamMo while reading results concurrently (results may come back in any order; each names its
carrier message id), and checks every result against what DESIGN.md says the message must do. Run with
/usr/bin/python3 (the python3 on PATH may not see python3-grpcio):

    /usr/bin/python3 stream_mo_client.py --host 127.0.0.1 --port 50051 [--count 600] [--address +18005550199]

Stubs are generated at run time with `python3 -m grpc_tools.protoc` into a fresh temporary directory (or --gen_dir)
from <proto_root>/optoutgate/v1/*.proto (default: the repository's protos/ folder).

Output: "OK: <check>" or "FAIL: <check>: <reason>" lines, then "N passed, N failed". Exit code 0 = all passed,
1 = a check failed, 2 = bad usage or stub generation failed.
"""

import argparse
import os
import sys
import time

import grpc

from checks import Checks
from contract_stubs import run_with_stubs, sent_from_a_thread

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protos"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto_root", default=os.environ.get("INTEROP_PROTO_ROOT", DEFAULT_PROTO_ROOT))
    parser.add_argument("--gen_dir", default=None)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--address", default="+18005550199")
    parser.add_argument("--key", default=None, help="API key (role mo and admin); none while keys are off")
    parser.add_argument("--timeout_s", type=float, default=60.0)
    args = parser.parse_args()

    return run_with_stubs(args, run, "optoutgate-mo-py-")


def run(args):
    from google.protobuf import timestamp_pb2
    from optoutgate.v1 import admin_config_pb2, admin_pb2_grpc, common_pb2, mo_pb2, mo_pb2_grpc

    metadata = [("authorization", "Bearer " + args.key)] if args.key else []
    channel = grpc.insecure_channel("%s:%d" % (args.host, args.port))
    checks = Checks()
    admin = admin_pb2_grpc.AdminStub(channel)
    mo = mo_pb2_grpc.MoStub(channel)

    address = admin_config_pb2.InboundAddress(
        sender=args.address, default_language_code="en",
        reply_texts=[admin_config_pb2.ReplyText(language_code="en", opt_out_text="py: unsubscribed",
                                                opt_in_text="py: subscribed", help_text="py: help")])
    admin.PutInboundAddress(admin_config_pb2.PutInboundAddressRequest(inbound_address=address),
                            timeout=args.timeout_s, metadata=metadata)

    base = 1767614400  # 2026-01-05T12:00:00Z

    def message(i, text, carrier_id, to=None, frm=None):
        ts = timestamp_pb2.Timestamp(seconds=base + i)
        return mo_pb2.MoMessage(inbound_address=to or args.address,
                                from_number=frm or "+1415558%04d" % (i % 10000),
                                text=text, carrier_message_id=carrier_id, carrier_time=ts)

    # (text, expected action, expected rule, expected reply)
    kinds = [
        ("STOP", mo_pb2.MO_ACTION_OPTED_OUT, common_pb2.CLASSIFICATION_RULE_EXACT_OPT_OUT, "py: unsubscribed"),
        ("Stop. Thank you", mo_pb2.MO_ACTION_OPTED_OUT, common_pb2.CLASSIFICATION_RULE_LEADING_OPT_OUT, "py: unsubscribed"),
        ("please remove me from this list", mo_pb2.MO_ACTION_OPTED_OUT, common_pb2.CLASSIFICATION_RULE_REVOCATION_PHRASE, "py: unsubscribed"),
        ("HELP", mo_pb2.MO_ACTION_HELP, common_pb2.CLASSIFICATION_RULE_LEADING_HELP, "py: help"),
        ("when does the sale end", mo_pb2.MO_ACTION_AMBIGUOUS, common_pb2.CLASSIFICATION_RULE_AMBIGUOUS_KEYWORD, ""),
        ("see you tomorrow", mo_pb2.MO_ACTION_NONE, common_pb2.CLASSIFICATION_RULE_NONE, ""),
    ]
    expected = {}
    requests = []
    for i in range(args.count):
        text, action, rule, reply = kinds[i % len(kinds)]
        cid = "py-%d" % i
        expected[cid] = (action, rule, reply)
        requests.append(mo_pb2.StreamMoRequest(message=message(i, text, cid)))
    # A carrier retry of the first message, a malformed message and an unknown inbound address.
    requests.append(mo_pb2.StreamMoRequest(message=message(0, "STOP", "py-0")))
    requests.append(mo_pb2.StreamMoRequest(message=message(1, "STOP", "py-bad-from", frm="4155550100")))
    requests.append(mo_pb2.StreamMoRequest(message=message(2, "STOP", "py-unknown-address", to="no-such-address")))

    # Send from a thread through a queue, read results as they come (full duplex, any order).
    request_iterator = sent_from_a_thread(requests)
    started = time.monotonic()
    results = []
    try:
        for response in mo.StreamMo(request_iterator, timeout=args.timeout_s, metadata=metadata):
            results.append(response.result)
    except grpc.RpcError as e:
        checks.check("stream ends OK", False, "%s %s" % (e.code(), e.details()))
        print("%d passed, %d failed" % (checks.passed, checks.failed))
        return 1
    elapsed = time.monotonic() - started

    checks.check("one result per message", len(results) == len(requests),
                 "%d results for %d messages" % (len(results), len(requests)))
    by_id = {}
    for r in results:
        by_id.setdefault(r.carrier_message_id, []).append(r)

    wrong = []
    for cid, (action, rule, reply) in expected.items():
        got = by_id.get(cid, [])
        first = [r for r in got if r.action != mo_pb2.MO_ACTION_DUPLICATE]
        if len(first) != 1:
            wrong.append("%s: %d non-duplicate results" % (cid, len(first)))
            continue
        r = first[0]
        if r.HasField("error") or r.action != action or r.rule != rule or r.reply_text != reply:
            wrong.append("%s: %s rule %s reply %r error %s" % (cid, r.action, r.rule, r.reply_text, r.error.code))
        elif action in (mo_pb2.MO_ACTION_OPTED_OUT, mo_pb2.MO_ACTION_AMBIGUOUS) and r.sequence == 0:
            wrong.append("%s: no sequence for a recorded message" % cid)
        elif action in (mo_pb2.MO_ACTION_HELP, mo_pb2.MO_ACTION_NONE) and r.sequence != 0:
            wrong.append("%s: a sequence for an unrecorded message" % cid)
        elif action == mo_pb2.MO_ACTION_OPTED_OUT and r.scope != common_pb2.SCOPE_SENDER:
            wrong.append("%s: scope %s" % (cid, r.scope))
        elif action == mo_pb2.MO_ACTION_AMBIGUOUS and not r.review_item_id:
            wrong.append("%s: no review item" % cid)
    checks.check("every result matches its message", not wrong, "; ".join(wrong[:5]))

    order = [r.carrier_message_id for r in results]
    sent = [q.message.carrier_message_id for q in requests]
    print("INFO: results in send order: %s; %d messages in %.2f s" % (order == sent, len(results), elapsed))

    retries = by_id.get("py-0", [])
    dup = [r for r in retries if r.action == mo_pb2.MO_ACTION_DUPLICATE]
    orig = [r for r in retries if r.action == mo_pb2.MO_ACTION_OPTED_OUT]
    checks.check("a retry is DUPLICATE with the original's sequence",
                 len(dup) == 1 and len(orig) == 1 and dup[0].sequence == orig[0].sequence and dup[0].reply_text == "",
                 str(retries))
    bad = by_id.get("py-bad-from", [])
    checks.check("a malformed message gets INVALID_ARGUMENT and the stream goes on",
                 len(bad) == 1 and bad[0].error.code == 3 and bad[0].action == mo_pb2.MO_ACTION_UNSPECIFIED, str(bad))
    unknown = by_id.get("py-unknown-address", [])
    checks.check("an unknown inbound address gets NOT_FOUND",
                 len(unknown) == 1 and unknown[0].error.code == 5, str(unknown))

    # After the stream: a unary retry of a stream message is a DUPLICATE too.
    again = mo.RecordMo(mo_pb2.RecordMoRequest(message=message(0, "STOP", "py-0")), timeout=args.timeout_s, metadata=metadata)
    checks.check("RecordMo retry is DUPLICATE", again.result.action == mo_pb2.MO_ACTION_DUPLICATE, str(again.result))

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
