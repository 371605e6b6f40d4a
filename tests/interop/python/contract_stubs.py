"""Python stubs of the gate's contract, generated at run time (the repository's python clients share this)."""

import glob
import os
import shutil
import sys
import tempfile


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
