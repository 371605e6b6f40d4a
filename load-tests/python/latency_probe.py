#!/usr/bin/env python3
"""CheckBatch latency from an independent client: Python grpcio, whose transport is gRPC's C core.

Why: on the 2-core build machine the project's own load generator (.NET, SocketsHttpHandler) shares the cores with
the gate, and its own HTTP/2 stack and thread hand-offs are part of every latency it records. This probe sends the
same batch as ghz (load-tests/ghz/data/check-batch.json, written by `OptOutGate.LoadTests ghz-data`), serialized once,
paced at --rate from --processes processes (each one call at a time, as a blocking caller), and reports per-call
latency two ways: from each call's actual start (as ghz) and from its scheduled slot (wrk2's correction for
coordinated omission; a process that falls behind counts the wait). Every answer is checked: as many verdicts as
recipients, and --expect-blocked BLOCKED_OPTED_OUT (20 of 1,000 with the default dataset loaded).

    load-tests/python/latency_probe.py --address 127.0.0.1:50051 --rate 3000 [--processes 1] [--duration 10]
        [--warmup 3] [--batch load-tests/ghz/data/check-batch.json] [--expect-blocked 20]

Exit code: 0 when every call succeeded and every answer was as expected, 1 otherwise, 2 for bad usage.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time

SMS_TYPES = {"SMS_TYPE_UNSPECIFIED": 0, "SMS_TYPE_MARKETING": 1, "SMS_TYPE_NOTIFICATION": 2,
             "SMS_TYPE_VERIFICATION": 3, "SMS_TYPE_CONFIRMATION": 4}
METHOD = "/optoutgate.v1.Gate/CheckBatch"


def varint(value):
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def encode_request(batch):
    """CheckBatchRequest (protos/optoutgate/v1/gate.proto): sender 1, app 2, sms_type 3, recipients 4."""
    def text(field, value):
        data = value.encode("utf-8")
        return varint(field << 3 | 2) + varint(len(data)) + data

    out = bytearray()
    if batch.get("sender"):
        out += text(1, batch["sender"])
    if batch.get("app"):
        out += text(2, batch["app"])
    sms_type = batch.get("smsType", "SMS_TYPE_MARKETING")
    out += varint(3 << 3) + varint(SMS_TYPES[sms_type] if isinstance(sms_type, str) else int(sms_type))
    for recipient in batch["recipients"]:
        out += text(4, recipient)
    return bytes(out)


def read_varint(data, pos):
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("message ends inside a varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def tally(response):
    """(verdicts, blocked_opted_out) of a CheckBatchResponse: verdicts 1 (packed), counts 2 (blocked_opted_out 3)."""
    verdicts = blocked = 0
    pos = 0
    while pos < len(response):
        tag, pos = read_varint(response, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = read_varint(response, pos)
            if field == 1:
                verdicts += 1
        elif wire == 2:
            length, pos = read_varint(response, pos)
            body = response[pos:pos + length]
            if len(body) != length:
                raise ValueError("a field runs past the end of the message")
            pos += length
            if field == 1:
                verdicts += sum(1 for b in body if b < 0x80)
            elif field == 2:
                inner = 0
                while inner < len(body):
                    inner_tag, inner = read_varint(body, inner)
                    if inner_tag & 7 != 0:
                        raise ValueError("unexpected wire type in VerdictCounts")
                    value, inner = read_varint(body, inner)
                    if inner_tag >> 3 == 3:
                        blocked = value
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError("unexpected wire type %d" % wire)
    return verdicts, blocked


def run_process(args, request, recipients, rate, results):
    import grpc  # imported here: each process makes its own channel (and C-core threads) after the fork

    channel = grpc.insecure_channel(args.address)
    call = channel.unary_unary(METHOD)
    failures = mismatches = 0
    end_warmup = time.perf_counter() + args.warmup
    while time.perf_counter() < end_warmup:
        call(request, timeout=args.timeout)
    from_start, from_slot = [], []
    cpu0 = time.process_time()
    start = time.perf_counter()
    total = int(rate * args.duration)
    for k in range(total):
        due = start + k / rate
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        began = time.perf_counter()
        try:
            response = call(request, timeout=args.timeout)
        except grpc.RpcError:
            failures += 1
            continue
        ended = time.perf_counter()
        from_start.append(ended - began)
        from_slot.append(ended - min(due, began))
        verdicts, blocked = tally(response)
        if verdicts != recipients or (args.expect_blocked is not None and blocked != args.expect_blocked):
            mismatches += 1
    elapsed = time.perf_counter() - start
    results.put((from_start, from_slot, failures, mismatches, time.process_time() - cpu0, elapsed))
    channel.close()


def percentiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000
    return "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f ms" % (pick(0.5), pick(0.9), pick(0.99), pick(0.999))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", default="127.0.0.1:50051", help="host:port of the gate (plaintext h2c)")
    parser.add_argument("--rate", type=float, required=True, help="calls per second, all processes together")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured calls first")
    parser.add_argument("--timeout", type=float, default=5.0, help="deadline of each call, seconds")
    parser.add_argument("--batch", default=os.path.join(here, "..", "ghz", "data", "check-batch.json"))
    parser.add_argument("--expect-blocked", type=int, default=None,
                        help="BLOCKED_OPTED_OUT expected per answer (20 with ghz-data's defaults and the dataset loaded)")
    args = parser.parse_args()
    if args.rate <= 0 or args.processes < 1 or args.duration <= 0:
        parser.error("--rate, --processes and --duration must be positive")
    try:
        import grpc  # noqa: F401  (checked before forking, for a clear message)
    except ImportError:
        print("latency_probe: cannot import grpc: apt-get install -y python3-grpcio", file=sys.stderr)
        return 2
    if not os.path.isfile(args.batch):
        print("latency_probe: no batch file at %s: write it with `dotnet run --project load-tests/OptOutGate.LoadTests "
              "-c Release -- ghz-data --out load-tests/ghz/data` (run-perf.sh writes its own)" % args.batch, file=sys.stderr)
        return 2
    with open(args.batch, encoding="utf-8") as f:
        batch = json.load(f)
    request = encode_request(batch)
    recipients = len(batch["recipients"])

    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=run_process, args=(args, request, recipients, args.rate / args.processes, results))
               for _ in range(args.processes)]
    for w in workers:
        w.start()
    gathered = [results.get() for _ in workers]
    for w in workers:
        w.join()

    from_start = [x for g in gathered for x in g[0]]
    from_slot = [x for g in gathered for x in g[1]]
    failures = sum(g[2] for g in gathered)
    mismatches = sum(g[3] for g in gathered)
    elapsed = max(g[5] for g in gathered)
    cpu = sum(g[4] for g in gathered) / elapsed * 100
    print("latency_probe: %s %s, %d recipients per call, %d process(es), %.0f calls/s asked, %.0f done, client CPU %.0f%%"
          % (args.address, METHOD, recipients, args.processes, args.rate, len(from_start) / elapsed, cpu))
    if from_start:
        print("  from the call's start:     " + percentiles(from_start))
        print("  from the scheduled slot:   " + percentiles(from_slot))
    print("  calls ok %d, failed %d, answers not as expected %d" % (len(from_start), failures, mismatches))
    return 0 if failures == 0 and mismatches == 0 and from_start else 1


if __name__ == "__main__":
    sys.exit(main())
