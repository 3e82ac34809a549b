"""Repository rule: Debian's rules_cc made loadable by Debian's Bazel 4.

Debian ships rules_cc 0.0.4 (/usr/share/bazel/rules/cc), newer than Bazel
4.2.3: two files call use_cpp_toolchain(), which Bazel 4 lacks. This copies the
tree and replaces that call by the toolchain type it returns.
"""

_SOURCE = "/usr/share/bazel/rules/cc"
_PATCHED = [
    "cc/private/rules_impl/compiler_flag.bzl",
    "cc/private/rules_impl/cc_flags_supplier.bzl",
]

def _debian_rules_cc_impl(ctx):
    result = ctx.execute(["cp", "-r", _SOURCE + "/.", "."])
    if result.return_code != 0:
        fail("copying %s failed (is bazel-rules-cc installed? run tools/setup.sh): %s" %
             (_SOURCE, result.stderr))
    for path in _PATCHED:
        text = ctx.read(path)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(path, text, executable = False)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    local = True,
)
