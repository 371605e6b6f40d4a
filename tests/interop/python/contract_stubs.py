"""Python stubs of the gate's contract, generated at run time (the repository's python clients share this)."""

import glob
import os


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
