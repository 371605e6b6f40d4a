#!/usr/bin/python3
"""Independent gRPC interop client for OptOutGate, on Debian's python3-grpcio (C-core).

Run with /usr/bin/python3 (Debian's interpreter; the python3 on PATH may not see python3-grpcio):

    /usr/bin/python3 interop_client.py --host 127.0.0.1 --port 50051 --test_case all

Stubs are generated at run time with `python3 -m grpc_tools.protoc` (Debian's python3-grpc-tools) into a
fresh temporary directory (or --gen_dir), from:
  * tests/interop/protos/interop.proto
  * <proto_root>/grpc/health/v1/health.proto          (health_check)
  * <proto_root>/grpc/reflection/v1/reflection.proto  (reflection_list)
<proto_root> defaults to the repository's protos/ folder (--proto_root or $INTEROP_PROTO_ROOT override it).
Health and reflection are generated with their own folder as the include path, so the modules are the
top-level `health_pb2` / `reflection_pb2`, never a `grpc/...` package shadowing grpcio's `grpc`.

Output: one line per case, "OK: <case>", "FAIL: <case>: <reason>" or "SKIP: <case>: <reason>", then a
summary line "N passed, N failed, N skipped". Exit code: 0 = no case failed; 1 = at least one failure;
2 = bad usage or stub generation failed. A case whose proto is missing fails, unless --skip_missing_protos
is given (then it is skipped).
"""

import argparse
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP_PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "protos"))
DEFAULT_PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protos"))
HEALTH_REL = os.path.join("grpc", "health", "v1", "health.proto")
REFLECTION_REL = os.path.join("grpc", "reflection", "v1", "reflection.proto")

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
INITIAL_VALUE = "test_initial_metadata_value"
TRAILING_VALUE = b"\xab\xab\xab"

SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
NON_ASCII_MESSAGE = "\u00c9tat: opt-out refus\u00e9 \u2014 \u9000\u8ba2"
MIB = 1024 * 1024
LARGE_MESSAGE_SIZE = 3 * MIB
CHANNEL_MAX_MESSAGE = 8 * MIB

ALL_CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "status_code_and_message", "special_status_message", "non_ascii_message", "timeout_on_sleeping_server",
    "cancel_after_begin", "cancel_after_first_response", "custom_metadata", "large_message",
    "unimplemented_method", "unimplemented_service", "health_check", "reflection_list", "response_interval",
]
# Cases that exist but are not part of "all" (the server method is optional).
EXTRA_CASES = ["half_duplex"]


class CaseFailed(Exception):
    """An assertion of a case did not hold."""


class CaseSkipped(Exception):
    """A case cannot run (a proto it needs is absent)."""


def check(cond, message):
    if not cond:
        raise CaseFailed(message)


def expect_rpc_error(fn, code, details=None):
    """Runs fn(), which must raise grpc.RpcError with the given code (and exact details if given)."""
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, "expected %s, got %s (%r)" % (code.name, e.code().name, e.details()))
        if details is not None:
            check(e.details() == details, "status message mismatch: expected %r, got %r" % (details, e.details()))
        return e
    raise CaseFailed("expected %s, but the call succeeded" % code.name)


class RequestQueue:
    """A request iterator fed by the test: put() sends a message, close() half-closes."""

    _END = object()

    def __init__(self):
        self._q = queue.Queue()

    def put(self, item):
        self._q.put(item)

    def close(self):
        self._q.put(self._END)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._q.get()
        if item is self._END:
            raise StopIteration
        return item


def generate_stubs(gen_dir, proto_root):
    """Generates python modules into gen_dir; returns (has_health, has_reflection, notes)."""
    from grpc_tools import protoc
    import grpc_tools

    wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")

    def run(include_dir, filename):
        args = ["grpc_tools.protoc", "-I" + include_dir, "-I" + wkt,
                "--python_out=" + gen_dir, "--grpc_python_out=" + gen_dir, filename]
        rc = protoc.main(args)
        if rc != 0:
            raise RuntimeError("protoc failed (%d) for %s" % (rc, os.path.join(include_dir, filename)))

    run(INTEROP_PROTO_DIR, "interop.proto")
    present = {}
    for key, rel in (("health", HEALTH_REL), ("reflection", REFLECTION_REL)):
        path = os.path.join(proto_root, rel)
        present[key] = path if os.path.isfile(path) else None
        if present[key]:
            run(os.path.dirname(path), os.path.basename(path))
    return present


class Context:
    def __init__(self, args, channel, present):
        import interop_pb2
        import interop_pb2_grpc

        self.args = args
        self.timeout = args.timeout_s
        self.channel = channel
        self.pb = interop_pb2
        self.stub = interop_pb2_grpc.InteropStub(channel)
        self.present = present

    # Message helpers -------------------------------------------------------------------------
    def payload(self, n):
        return self.pb.Payload(body=b"\0" * n)

    def out_request(self, sizes, payload_size=0, intervals_us=None, status=None):
        params = [self.pb.ResponseParameters(size=s, interval_us=(intervals_us[i] if intervals_us else 0))
                  for i, s in enumerate(sizes)]
        req = self.pb.StreamingOutputCallRequest(response_parameters=params, payload=self.payload(payload_size))
        if status is not None:
            req.response_status.code = status[0]
            req.response_status.message = status[1]
        return req

    def check_payload(self, resp, size, what):
        body = resp.payload.body
        check(len(body) == size, "%s: expected %d payload bytes, got %d" % (what, size, len(body)))
        check(body == b"\0" * size, "%s: payload is not all zero bytes" % what)


# Cases -----------------------------------------------------------------------------------------

def case_empty_unary(c):
    resp, call = c.stub.EmptyCall.with_call(c.pb.Empty(), timeout=c.timeout)
    check(isinstance(resp, c.pb.Empty), "response is not Empty: %r" % (resp,))
    check(call.code() == grpc.StatusCode.OK, "status %s" % call.code())


def case_large_unary(c):
    req = c.pb.SimpleRequest(response_size=314159, payload=c.payload(271828))
    resp = c.stub.UnaryCall(req, timeout=c.timeout)
    c.check_payload(resp, 314159, "response")


def case_client_streaming(c):
    sizes = [27182, 8, 1828, 45904]
    reqs = [c.pb.StreamingInputCallRequest(payload=c.payload(n)) for n in sizes]
    resp = c.stub.StreamingInputCall(iter(reqs), timeout=c.timeout)
    check(resp.aggregated_payload_size == 74922,
          "aggregated_payload_size %d, expected 74922" % resp.aggregated_payload_size)


def case_server_streaming(c):
    sizes = [31415, 9, 2653, 58979]
    call = c.stub.StreamingOutputCall(c.out_request(sizes), timeout=c.timeout)
    got = list(call)
    check(len(got) == len(sizes), "expected %d responses, got %d" % (len(sizes), len(got)))
    for i, (resp, n) in enumerate(zip(got, sizes)):
        c.check_payload(resp, n, "response %d" % i)
    check(call.code() == grpc.StatusCode.OK, "status %s" % call.code())


def case_ping_pong(c):
    req_sizes = [27182, 8, 1828, 45904]
    resp_sizes = [31415, 9, 2653, 58979]
    q = RequestQueue()
    call = c.stub.FullDuplexCall(q, timeout=c.timeout)
    try:
        for i, (rq, rs) in enumerate(zip(req_sizes, resp_sizes)):
            q.put(c.out_request([rs], payload_size=rq))
            c.check_payload(next(call), rs, "response %d" % i)
        q.close()
        rest = list(call)
        check(not rest, "%d unexpected extra responses after half-close" % len(rest))
        check(call.code() == grpc.StatusCode.OK, "status %s" % call.code())
    finally:
        q.close()


def case_empty_stream(c):
    call = c.stub.FullDuplexCall(iter([]), timeout=c.timeout)
    got = list(call)
    check(not got, "expected no responses, got %d" % len(got))
    check(call.code() == grpc.StatusCode.OK, "status %s" % call.code())


def _echo_status_cases(c, code, message, duplex=True):
    """Unary (and duplex) call asking the server to end with (code, message); checks exact round-trip."""
    req = c.pb.SimpleRequest(response_size=1)
    req.response_status.code = code.value[0]
    req.response_status.message = message
    expect_rpc_error(lambda: c.stub.UnaryCall(req, timeout=c.timeout), code, message)
    if duplex:
        q = RequestQueue()
        q.put(c.out_request([1], status=(code.value[0], message)))
        q.close()
        call = c.stub.FullDuplexCall(q, timeout=c.timeout)
        expect_rpc_error(lambda: list(call), code, message)


def case_status_code_and_message(c):
    _echo_status_cases(c, grpc.StatusCode.UNKNOWN, "test status message")


def case_special_status_message(c):
    _echo_status_cases(c, grpc.StatusCode.UNKNOWN, SPECIAL_STATUS_MESSAGE, duplex=False)


def case_non_ascii_message(c):
    _echo_status_cases(c, grpc.StatusCode.UNKNOWN, NON_ASCII_MESSAGE)


def case_timeout_on_sleeping_server(c):
    q = RequestQueue()
    start = time.monotonic()
    call = c.stub.FullDuplexCall(q, timeout=0.001)
    try:
        q.put(c.out_request([31415], payload_size=27182, intervals_us=[2000000]))
        expect_rpc_error(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED)
        elapsed = time.monotonic() - start
        check(elapsed < 1.5, "DEADLINE_EXCEEDED took %.3f s for a 1 ms deadline" % elapsed)
    finally:
        q.close()


def case_cancel_after_begin(c):
    q = RequestQueue()
    future = c.stub.StreamingInputCall.future(q, timeout=c.timeout)
    try:
        future.cancel()
        check(future.cancelled(), "future not cancelled")
        check(future.code() == grpc.StatusCode.CANCELLED, "status %s, expected CANCELLED" % future.code())
    finally:
        q.close()


def case_cancel_after_first_response(c):
    q = RequestQueue()
    call = c.stub.FullDuplexCall(q, timeout=c.timeout)
    try:
        q.put(c.out_request([31415], payload_size=27182))
        c.check_payload(next(call), 31415, "first response")
        call.cancel()
        check(call.code() == grpc.StatusCode.CANCELLED, "status %s, expected CANCELLED" % call.code())
        expect_rpc_error(lambda: next(call), grpc.StatusCode.CANCELLED)
    finally:
        q.close()


def _check_echoed_metadata(call, what, initial=True):
    if initial:
        im = list(call.initial_metadata() or ())
        check((ECHO_INITIAL, INITIAL_VALUE) in im,
              "%s: initial metadata lacks %s=%r: %r" % (what, ECHO_INITIAL, INITIAL_VALUE, im))
    tm = list(call.trailing_metadata() or ())
    check((ECHO_TRAILING, TRAILING_VALUE) in tm,
          "%s: trailing metadata lacks %s=%r: %r" % (what, ECHO_TRAILING, TRAILING_VALUE, tm))


def case_custom_metadata(c):
    md = ((ECHO_INITIAL, INITIAL_VALUE), (ECHO_TRAILING, TRAILING_VALUE))
    # Unary.
    req = c.pb.SimpleRequest(response_size=314159, payload=c.payload(271828))
    resp, call = c.stub.UnaryCall.with_call(req, metadata=md, timeout=c.timeout)
    c.check_payload(resp, 314159, "unary response")
    _check_echoed_metadata(call, "unary")
    # Full duplex: one request, half-close, read everything.
    call = c.stub.FullDuplexCall(iter([c.out_request([314159], payload_size=271828)]), metadata=md,
                                 timeout=c.timeout)
    got = list(call)
    check(len(got) == 1, "duplex: expected 1 response, got %d" % len(got))
    c.check_payload(got[0], 314159, "duplex response")
    _check_echoed_metadata(call, "duplex")
    # Unary failing with an echoed status: the trailing echo must still arrive (Trailers-Only or trailers).
    req = c.pb.SimpleRequest(response_size=1)
    req.response_status.code = grpc.StatusCode.UNKNOWN.value[0]
    req.response_status.message = "echo with metadata"
    err = expect_rpc_error(lambda: c.stub.UnaryCall(req, metadata=md, timeout=c.timeout),
                           grpc.StatusCode.UNKNOWN, "echo with metadata")
    _check_echoed_metadata(err, "unary error", initial=False)


def case_large_message(c):
    req = c.pb.SimpleRequest(response_size=LARGE_MESSAGE_SIZE, payload=c.payload(LARGE_MESSAGE_SIZE))
    resp = c.stub.UnaryCall(req, timeout=c.timeout)
    c.check_payload(resp, LARGE_MESSAGE_SIZE, "response")


def case_unimplemented_method(c):
    expect_rpc_error(lambda: c.stub.UnimplementedCall(c.pb.Empty(), timeout=c.timeout),
                     grpc.StatusCode.UNIMPLEMENTED)


def case_unimplemented_service(c):
    method = c.channel.unary_unary("/optoutgate.interop.UnimplementedService/UnimplementedCall",
                                   request_serializer=c.pb.Empty.SerializeToString,
                                   response_deserializer=c.pb.Empty.FromString)
    expect_rpc_error(lambda: method(c.pb.Empty(), timeout=c.timeout), grpc.StatusCode.UNIMPLEMENTED)


def case_health_check(c):
    if not c.present["health"]:
        raise CaseSkipped("%s not found" % os.path.join(c.args.proto_root, HEALTH_REL))
    import health_pb2
    import health_pb2_grpc

    stub = health_pb2_grpc.HealthStub(c.channel)
    resp = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=c.timeout)
    check(resp.status == health_pb2.HealthCheckResponse.SERVING,
          "overall status %s, expected SERVING" % health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status))
    expect_rpc_error(lambda: stub.Check(health_pb2.HealthCheckRequest(service="optoutgate.interop.NoSuchService"),
                                        timeout=c.timeout),
                     grpc.StatusCode.NOT_FOUND)


def case_reflection_list(c):
    if not c.present["reflection"]:
        raise CaseSkipped("%s not found" % os.path.join(c.args.proto_root, REFLECTION_REL))
    import reflection_pb2
    import reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(c.channel)
    q = RequestQueue()
    call = stub.ServerReflectionInfo(q, timeout=c.timeout)
    try:
        # list_services = "" (empty but set): the server must look at the oneof case, not the content.
        req = reflection_pb2.ServerReflectionRequest(host="", list_services="")
        check(req.WhichOneof("message_request") == "list_services", "client could not set list_services")
        q.put(req)
        # The answer must come while the request stream is still open (grpcurl/ghz wait for it).
        resp = next(call)
        kind = resp.WhichOneof("message_response")
        check(kind == "list_services_response", "expected list_services_response, got %s: %r" % (kind, resp))
        names = [s.name for s in resp.list_services_response.service]
        for want in ("optoutgate.interop.Interop", "grpc.health.v1.Health"):
            check(want in names, "list_services lacks %s: %r" % (want, names))
        q.close()
        rest = list(call)
        check(not rest, "%d unexpected responses after half-close" % len(rest))
        check(call.code() == grpc.StatusCode.OK, "status %s" % call.code())
    finally:
        q.close()


def case_response_interval(c):
    # 3 responses, each to be sent after a 100 ms sleep: they must not arrive early.
    start = time.monotonic()
    call = c.stub.StreamingOutputCall(c.out_request([1, 1, 1], intervals_us=[100000] * 3), timeout=c.timeout)
    arrivals = []
    for resp in call:
        arrivals.append(time.monotonic() - start)
        c.check_payload(resp, 1, "response %d" % len(arrivals))
    check(len(arrivals) == 3, "expected 3 responses, got %d" % len(arrivals))
    # Response i (0-based) cannot be sent before (i+1) * 100 ms (10 ms slack for timer granularity);
    # cumulative times are used because transport delays only ever make arrivals later.
    early = [i for i, t in enumerate(arrivals) if t < (i + 1) * 0.09]
    check(not early, "interval_us not honoured: responses arrived at %s s, expected >= 0.1, 0.2, 0.3"
          % ", ".join("%.3f" % t for t in arrivals))


def case_half_duplex(c):
    sizes = [31415, 9, 2653, 58979]
    reqs = [c.out_request([n], payload_size=8) for n in sizes]
    call = c.stub.HalfDuplexCall(iter(reqs), timeout=c.timeout)
    got = list(call)
    check(len(got) == len(sizes), "expected %d responses, got %d" % (len(sizes), len(got)))
    for i, (resp, n) in enumerate(zip(got, sizes)):
        c.check_payload(resp, n, "response %d" % i)


CASES = {name: globals()["case_" + name] for name in ALL_CASES + EXTRA_CASES}


def describe_error(e):
    if isinstance(e, grpc.RpcError) and hasattr(e, "code"):
        return "RPC failed: %s %r" % (e.code().name, e.details())
    return "%s: %s" % (type(e).__name__, e)


def parse_args(argv):
    p = argparse.ArgumentParser(description="OptOutGate gRPC interop client (python grpcio)")
    p.add_argument("--host", "--server_host", dest="host", default="127.0.0.1")
    p.add_argument("--port", "--server_port", dest="port", type=int, required=True)
    p.add_argument("--test_case", default="all",
                   help="'all' or a comma-separated list of: " + ", ".join(ALL_CASES + EXTRA_CASES))
    p.add_argument("--proto_root", default=os.environ.get("INTEROP_PROTO_ROOT", DEFAULT_PROTO_ROOT),
                   help="folder holding grpc/health/v1/health.proto and grpc/reflection/v1/reflection.proto")
    p.add_argument("--gen_dir", default=None, help="where to generate stubs (default: a temporary folder)")
    p.add_argument("--timeout_s", type=float, default=20.0, help="deadline of each call (except timeout cases)")
    p.add_argument("--skip_missing_protos", action="store_true",
                   help="skip (instead of fail) health_check / reflection_list when their proto is absent")
    args = p.parse_args(argv)
    args.cases = []
    for s in (x.strip() for x in args.test_case.split(",")):
        for name in (ALL_CASES if s == "all" else [s] if s else []):
            if name not in args.cases:
                args.cases.append(name)
    unknown = [s for s in args.cases if s not in CASES]
    if unknown or not args.cases:
        p.error("unknown test case(s): %s" % ", ".join(unknown or ["(none)"]))
    args.proto_root = os.path.abspath(args.proto_root)
    return args


def main(argv):
    args = parse_args(argv)
    gen_dir = args.gen_dir or tempfile.mkdtemp(prefix="interop-py-gen-")
    try:
        os.makedirs(gen_dir, exist_ok=True)
        try:
            present = generate_stubs(gen_dir, args.proto_root)
        except Exception as e:  # noqa: BLE001 - report any generation problem as a usage error
            print("ERROR: stub generation failed: %s" % e, file=sys.stderr)
            return 2
        sys.path.insert(0, gen_dir)

        options = [("grpc.max_send_message_length", CHANNEL_MAX_MESSAGE),
                   ("grpc.max_receive_message_length", CHANNEL_MAX_MESSAGE)]
        channel = grpc.insecure_channel("%s:%d" % (args.host, args.port), options=options)
        try:
            grpc.channel_ready_future(channel).result(timeout=args.timeout_s)
        except grpc.FutureTimeoutError:
            print("WARN: channel to %s:%d not ready after %.0f s; running cases anyway"
                  % (args.host, args.port, args.timeout_s), file=sys.stderr)
        ctx = Context(args, channel, present)

        passed = failed = skipped = 0
        for name in args.cases:
            try:
                CASES[name](ctx)
            except CaseSkipped as e:
                if not args.skip_missing_protos:
                    failed += 1
                    print("FAIL: %s: %s" % (name, e), flush=True)
                else:
                    skipped += 1
                    print("SKIP: %s: %s" % (name, e), flush=True)
                continue
            except CaseFailed as e:
                failed += 1
                print("FAIL: %s: %s" % (name, e), flush=True)
                continue
            except Exception as e:  # noqa: BLE001 - any other exception fails the case
                failed += 1
                print("FAIL: %s: %s" % (name, describe_error(e)), flush=True)
                if os.environ.get("INTEROP_DEBUG"):
                    traceback.print_exc()
                continue
            passed += 1
            print("OK: %s" % name, flush=True)
        channel.close()
        print("%d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
        return 1 if failed else 0
    finally:
        if not args.gen_dir:
            shutil.rmtree(gen_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
