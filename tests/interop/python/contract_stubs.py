"""What the repository's python clients of the gate share: the contract's stubs, generated at run time, and the
request side of a full-duplex stream."""

import glob
import os
import queue
import shutil
import sys
import tempfile
import threading


def generate_stubs(gen_dir, proto_root):
    from grpc_tools import protoc
    import grpc_tools

    wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = sorted(glob.glob(os.path.join(proto_root, "optoutgate", "v1", "*.proto")))
    if not files:
        raise RuntimeError("no optoutgate/v1/*.proto under " + proto_root)
    # The contract imports google/api/annotations.proto (its JSON routes); protos/google/api has it and http.proto,
    # and their modules are generated beside the contract's (google.api is a namespace package beside google.protobuf).
    files += sorted(glob.glob(os.path.join(proto_root, "google", "api", "*.proto")))
    rel = [os.path.relpath(f, proto_root) for f in files]
    rc = protoc.main(["grpc_tools.protoc", "-I" + proto_root, "-I" + wkt,
                      "--python_out=" + gen_dir, "--grpc_python_out=" + gen_dir] + rel)
    if rc != 0:
        raise RuntimeError("protoc failed (%d)" % rc)


def run_with_stubs(args, run, prefix):
    """Generates the stubs into args.gen_dir (or a temporary folder, removed after), puts them on sys.path and returns
    run(args); 2 when the stubs cannot be generated (a usage or setup failure)."""
    gen_dir = args.gen_dir or tempfile.mkdtemp(prefix=prefix)
    try:
        os.makedirs(gen_dir, exist_ok=True)
        generate_stubs(gen_dir, args.proto_root)
    except Exception as e:  # noqa: BLE001 - any failure here is a usage/setup failure
        print("ERROR: stub generation failed: %s" % e)
        return 2
    sys.path.insert(0, gen_dir)
    try:
        return run(args)
    finally:
        if args.gen_dir is None:
            shutil.rmtree(gen_dir, ignore_errors=True)


def sent_from_a_thread(items):
    """A request iterator for a bidirectional call, fed from a thread of its own through a queue: every item is sent
    without waiting for any answer, while the caller reads the answers as they come (full duplex, any order)."""
    outbox = queue.Queue()

    def sender():
        for item in items:
            outbox.put(item)
        outbox.put(None)

    def request_iterator():
        while True:
            item = outbox.get()
            if item is None:
                return
            yield item

    threading.Thread(target=sender, daemon=True).start()
    return request_iterator()
