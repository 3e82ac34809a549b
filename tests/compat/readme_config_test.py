"""The README's configuration section cannot drift from the binaries: every
flag and environment variable that `--help` lists is documented in it, and
every variable in its environment table is one `--help` lists.

Run by Bazel (see BUILD): argv[1] is README.md, the rest are binaries.
"""
import re
import subprocess
import sys

README = open(sys.argv[1], encoding="utf-8").read()
BINARIES = sys.argv[2:]


def configuration_section():
    start = README.index("## Configuration")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else len(README)]


def help_of(binary):
    result = subprocess.run([binary, "--help"], capture_output=True, text=True)
    return result.stdout + result.stderr


def main():
    section = configuration_section()
    problems = []
    listed_env = set()
    for binary in BINARIES:
        text = help_of(binary)
        flags = re.findall(r"^    --([a-z0-9_]+) \(", text, re.M)
        env = re.findall(r"^    ([A-Z][A-Z0-9_]+) \(", text, re.M)
        if not flags:
            problems.append(f"{binary}: --help lists no flags:\n{text}")
        listed_env.update(env)
        for flag in flags:
            if f"`--{flag}`" not in section:
                problems.append(f"README lacks `--{flag}` ({binary})")
        for name in env:
            if f"`{name}`" not in section:
                problems.append(f"README lacks `{name}` ({binary})")
    table_names = set()
    for row in re.findall(r"^\| (.+?) \|", section, re.M):
        table_names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    for name in sorted(table_names - listed_env):
        problems.append(f"README's table has `{name}`, which no --help lists")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"ok: {len(listed_env)} variables, {len(BINARIES)} binaries")


main()
