#!/usr/bin/python3
"""Dispatcher client for OptOutGate's Gate.CheckStream, on Debian's python3-grpcio (C-core).

An independent implementation of what a pipelining dispatcher does: it opts some numbers out (Admin.AddOptOuts), then
sends hundreds of CheckStream requests without waiting for answers (text and integer recipients, valid and invalid
ones, explanations, min_sequence) while reading the answers concurrently, and checks every answer against verdicts it
works out itself. Some requests are written as raw bytes that only protobuf's merge and skip rules give a meaning to:
the batch in two pieces, max_wait in two pieces, unknown fields around them; python's own protobuf parser says what
each means, and the gate must answer that. A max_wait that is not a Duration gets INVALID_ARGUMENT for its id alone.
Run with /usr/bin/python3 (the python3 on PATH may not see python3-grpcio):

    /usr/bin/python3 check_stream_client.py --host 127.0.0.1 --port 50051 [--requests 400]

Output: "OK: <check>" or "FAIL: <check>: <reason>" lines, then "N passed, N failed". Exit code 0 = all passed,
1 = a check failed, 2 = bad usage or stub generation failed.
"""

import argparse
import os
import random
import sys

import grpc

from checks import Checks
from contract_stubs import run_with_stubs, sent_from_a_thread

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protos"))
SENDER = "+18005550177"
# London numbers (020 7xxx xxxx): valid in every numbering plan the gate uses.
BLOCKED = ["+44207%07d" % (1000000 + 7 * i) for i in range(60)]
ALLOWED = ["+44207%07d" % (2000000 + 11 * i) for i in range(60)]
INVALID_TEXT = ["12345", "+1", "+44207", "++442071000000", "not a number", "", "+4420710000001234567"]
INVALID_E164 = [0, 12345, 10 ** 16, 2 ** 64 - 1]


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire_type, payload):
    """One field: tag, then the payload (length-prefixed for wire type 2)."""
    tag = varint((number << 3) | wire_type)
    return tag + (varint(len(payload)) + payload if wire_type == 2 else payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto_root", default=os.environ.get("INTEROP_PROTO_ROOT", DEFAULT_PROTO_ROOT))
    parser.add_argument("--gen_dir", default=None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--timeout_s", type=float, default=60.0)
    args = parser.parse_args()

    return run_with_stubs(args, run, "optoutgate-checkstream-py-")


def run(args):
    from google.protobuf import duration_pb2
    from optoutgate.v1 import admin_optouts_pb2, admin_pb2_grpc, common_pb2, gate_pb2

    rng = random.Random(args.seed)
    checks = Checks()
    channel = grpc.insecure_channel("%s:%d" % (args.host, args.port))
    admin = admin_pb2_grpc.AdminStub(channel)
    added = admin.AddOptOuts(admin_optouts_pb2.AddOptOutsRequest(
        scope=common_pb2.SCOPE_SENDER, sender=SENDER, recipients=BLOCKED, reason="python CheckStream client"),
        timeout=args.timeout_s)
    blocked = set(BLOCKED)

    def expected_text(r):
        if r in blocked:
            return common_pb2.VERDICT_BLOCKED_OPTED_OUT
        return common_pb2.VERDICT_ALLOWED if r in ALLOWED else common_pb2.VERDICT_INVALID_RECIPIENT

    def expected_verdicts(batch):
        """What the gate must answer, from the parsed message: text recipients first, then the integers."""
        verdicts = [expected_text(r) for r in batch.recipients]
        verdicts += [expected_text("+%d" % n) if n in VALID_E164 else common_pb2.VERDICT_INVALID_RECIPIENT
                     for n in batch.recipients_e164]
        return verdicts

    VALID_E164 = {int(r[1:]) for r in BLOCKED + ALLOWED}

    def random_batch():
        batch = gate_pb2.CheckBatchRequest(sender=SENDER, sms_type=common_pb2.SMS_TYPE_MARKETING)
        for _ in range(rng.randint(0, 120)):
            pool = rng.choice([BLOCKED, ALLOWED, ALLOWED, INVALID_TEXT])
            batch.recipients.append(rng.choice(pool))
        for _ in range(rng.choice([0, 0, rng.randint(1, 120)])):
            kind = rng.random()
            if kind < 0.3:
                batch.recipients_e164.append(int(rng.choice(BLOCKED)[1:]))
            elif kind < 0.9:
                batch.recipients_e164.append(int(rng.choice(ALLOWED)[1:]))
            else:
                batch.recipients_e164.append(rng.choice(INVALID_E164))
        batch.explain = rng.random() < 0.25
        if rng.random() < 0.3:
            batch.min_sequence = added.sequence
        return batch

    # (id, bytes on the wire, what python's parser makes of them, expected error code or None)
    requests = []
    for i in range(1, args.requests + 1):
        message = gate_pb2.CheckStreamRequest(request_id=i, batch=random_batch())
        requests.append((i, message.SerializeToString(), message, None))

    def raw(request_id, data):
        parsed = gate_pb2.CheckStreamRequest.FromString(data)
        return (request_id, data, parsed, None)

    base = args.requests
    whole = random_batch()
    whole.ClearField("min_sequence")
    first = gate_pb2.CheckBatchRequest(sender=whole.sender, sms_type=whole.sms_type, recipients=whole.recipients[:5])
    second = gate_pb2.CheckBatchRequest(recipients=whole.recipients[5:], recipients_e164=whole.recipients_e164,
                                        explain=whole.explain)
    unknown = field(99, 0, varint(7)) + field(100, 2, b"ignored") + field(101, 1, b"\x01" * 8) + field(102, 5, b"\x02" * 4)
    # The batch in two pieces, unknown fields before, between and after: protobuf merges the pieces into one batch.
    requests.append(raw(base + 1, field(1, 0, varint(base + 1)) + unknown + field(2, 2, first.SerializeToString())
                        + unknown + field(2, 2, second.SerializeToString()) + unknown))
    # max_wait in two pieces (seconds, then nanos) around the batch.
    requests.append(raw(base + 2, field(3, 2, field(1, 0, varint(2))) + field(2, 2, whole.SerializeToString())
                        + field(3, 2, field(2, 0, varint(500000000))) + field(1, 0, varint(base + 2))))
    # Fields in reverse order, the id last.
    requests.append(raw(base + 3, field(2, 2, whole.SerializeToString()) + field(1, 0, varint(base + 3))))
    # A max_wait that is no Duration (nanos beyond a second): INVALID_ARGUMENT for this id only.
    bad_wait = gate_pb2.CheckStreamRequest(request_id=base + 4, batch=whole,
                                           max_wait=duration_pb2.Duration(seconds=1, nanos=2000000000))
    requests.append((base + 4, bad_wait.SerializeToString(), bad_wait, grpc.StatusCode.INVALID_ARGUMENT))
    # No batch at all: INVALID_ARGUMENT for this id only.
    requests.append(raw(base + 5, field(1, 0, varint(base + 5)) + unknown))
    requests[-1] = requests[-1][:3] + (grpc.StatusCode.INVALID_ARGUMENT,)
    rng.shuffle(requests)

    call = channel.stream_stream("/optoutgate.v1.Gate/CheckStream", request_serializer=lambda b: b,
                                 response_deserializer=gate_pb2.CheckStreamResponse.FromString)
    answers = {}
    duplicates = []
    try:
        for response in call(sent_from_a_thread([request[1] for request in requests]), timeout=args.timeout_s):
            if response.request_id in answers:
                duplicates.append(response.request_id)
            answers[response.request_id] = response
    except grpc.RpcError as e:
        checks.check("the stream ends OK", False, "%s %s" % (e.code(), e.details()))
        return checks.summary()
    checks.check("the stream ends OK", True)
    checks.check("one answer per request", len(answers) == len(requests) and not duplicates,
                 "%d answers for %d requests, repeated ids %s" % (len(answers), len(requests), duplicates[:5]))

    wrong = []
    for request_id, _, parsed, error in requests:
        answer = answers.get(request_id)
        if answer is None:
            wrong.append("%d: no answer" % request_id)
            continue
        if error is not None:
            if answer.WhichOneof("result") != "error" or answer.error.code != error.value[0]:
                wrong.append("%d: expected %s, got %s" % (request_id, error, answer))
            continue
        if answer.WhichOneof("result") != "batch":
            wrong.append("%d: error %d %s" % (request_id, answer.error.code, answer.error.message))
            continue
        expected = expected_verdicts(parsed.batch)
        got = list(answer.batch.verdicts)
        if got != expected:
            wrong.append("%d: verdicts differ at %s" % (request_id, [k for k in range(max(len(got), len(expected)))
                                                                     if k >= len(got) or k >= len(expected) or got[k] != expected[k]][:5]))
            continue
        counts = answer.batch.counts
        if counts.blocked_opted_out != expected.count(common_pb2.VERDICT_BLOCKED_OPTED_OUT) \
                or counts.allowed != expected.count(common_pb2.VERDICT_ALLOWED) \
                or counts.invalid_recipient != expected.count(common_pb2.VERDICT_INVALID_RECIPIENT):
            wrong.append("%d: counts %s" % (request_id, counts))
            continue
        if parsed.batch.explain:
            explained = {e.index for e in answer.batch.explanations}
            blocked_at = {k for k, v in enumerate(expected) if v == common_pb2.VERDICT_BLOCKED_OPTED_OUT}
            if not blocked_at <= explained:
                wrong.append("%d: blocked recipients %s without an explanation" % (request_id, sorted(blocked_at - explained)[:5]))
        elif answer.batch.explanations:
            wrong.append("%d: explanations not asked for" % request_id)
    checks.check("every answer is what the request means", not wrong, "; ".join(wrong[:5]))
    checks.check("the batch in two pieces is answered as one merged batch",
                 len(answers.get(base + 1, gate_pb2.CheckStreamResponse()).batch.verdicts) == len(whole.recipients) + len(whole.recipients_e164),
                 str(answers.get(base + 1)))
    bad = answers.get(base + 4)
    checks.check("a max_wait that is not a Duration gets INVALID_ARGUMENT naming max_wait",
                 bad is not None and bad.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0] and "max_wait" in bad.error.message,
                 str(bad))
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
