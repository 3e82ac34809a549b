"""cc_grpc_proto: C++ messages and gRPC stubs from one .proto, with the
system protoc and grpc_cpp_plugin (Debian's protobuf-compiler(-grpc)).

Imports resolve against the `proto/` root and /usr/include (well-known types).
Produces `<name>` (a cc_library with messages, stubs and mock stubs).
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def cc_grpc_proto(name, src, deps = [], visibility = None):
    """`src` is a .proto in a package under //proto."""
    base = src[:-len(".proto")]
    outs = [base + ext for ext in [".pb.h", ".pb.cc", ".grpc.pb.h", ".grpc.pb.cc", "_mock.grpc.pb.h"]]
    pkg = native.package_name()
    root = "proto"
    rel = pkg[len(root) + 1:] + "/" + src
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = outs,
        cmd = " ".join([
            "/usr/bin/protoc",
            "-I" + root,
            "-I/usr/include",
            "--cpp_out=$(GENDIR)/" + root,
            "--grpc_out=generate_mock_code=true:$(GENDIR)/" + root,
            "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin",
            root + "/" + rel,
        ]),
    )
    cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        strip_include_prefix = "/" + root,
        deps = deps + ["//tools/bazel:grpc"],
        visibility = visibility,
    )
