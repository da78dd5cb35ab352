#!/usr/bin/env python3
"""Runs the hostile corpus against a built shiftsim binary, one process per
case, as a user would meet it: exit status 2 within 5 s under a 2 GiB
address-space limit, a short message naming the file (scenario cases) and
the field, no panic. Prints the cases that break that contract and the count.
Usage: python3 gen/contract.py /path/to/shiftsim"""
import os, re, resource, shlex, shutil, subprocess, sys, tempfile, glob

BIN = os.path.abspath(sys.argv[1])
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REP = re.compile(r"@@rep:(\d+):(.*?)@@")

def expand(s):
    return REP.sub(lambda m: m.group(2).replace("\\n", "\n") * int(m.group(1)), s)

tmp = tempfile.mkdtemp()
for root, dirs, files in os.walk(HERE):
    rel = os.path.relpath(root, HERE)
    if rel.startswith("gen"):
        continue
    os.makedirs(os.path.join(tmp, rel), exist_ok=True)
    for f in files:
        with open(os.path.join(root, f), encoding="latin-1") as src, open(os.path.join(tmp, rel, f), "w", encoding="latin-1") as dst:
            dst.write(expand(src.read()))
os.mkfifo(os.path.join(tmp, "fifo.yaml"))
os.mkdir(os.path.join(tmp, "dir.yaml"))

def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

def check(name, args, wants, needfile):
    try:
        p = subprocess.run([BIN] + args, cwd=tmp, capture_output=True, timeout=5, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return "timeout (> 5 s)"
    except OSError as e:
        return f"cannot run: {e}"
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 2:
        return f"exit {p.returncode}: {err[:160]!r}"
    if "panic" in err or "goroutine " in err:
        return "panic"
    if "root:x:" in err or "PATH=" in err:
        return "echoes the content of a file it was not meant to read"
    if len(err) > 2000:
        return f"message of {len(err)} bytes"
    for w in wants + ([needfile] if needfile else []):
        if w not in err:
            return f"message lacks {w!r}: {err[:200]!r}"
    return None

cases = []
for path in sorted(glob.glob(os.path.join(tmp, "*.yaml"))):
    if not os.path.isfile(path):
        continue
    text = open(path, encoding="latin-1").read(4096)
    args = re.search(r"^# args: (.*)$", text, re.M).group(1).split()
    wants = re.findall(r"^# want: (.*)$", text, re.M)
    base = os.path.basename(path)
    cases.append((base, args + [base], wants, base))
for line in open(os.path.join(tmp, "flags.txt"), encoding="latin-1"):
    if line.startswith("#") or not line.strip():
        continue
    want, args = line.rstrip("\n").split(" | ", 1)
    cases.append(("flags: " + args[:60], [a.strip("'") for a in args.split(" ")], [want], None))
for nm, args in [("fifo", ["validate", "fifo.yaml"]), ("dir", ["validate", "dir.yaml"]), ("devzero", ["validate", "/dev/zero"]),
                 ("devzero-run", ["run", "/dev/zero"]), ("import-devzero", ["import", "sam", "/dev/zero"]),
                 ("import-fifo", ["import", "alarms", "fifo.yaml"]), ("trace-devzero", ["trace", "inspect", "/dev/zero"]),
                 ("trace-fifo", ["trace", "inspect", "fifo.yaml"]), ("sweep-fifo", ["sweep", "--vary", "seed=1", "fifo.yaml"]),
                 ("resume-devzero", ["deploy", "--resume", "--journal", "/dev/zero"]), ("resume-fifo", ["deploy", "--resume", "--journal", "fifo.yaml"]),
                 ("passwd", ["validate", "/etc/passwd"]), ("import-passwd", ["import", "alarms", "/etc/passwd"])]:
    cases.append((nm, args, [], args[-1]))
bad = 0
for name, args, wants, f in cases:
    why = check(name, args, wants, f)
    if why:
        bad += 1
        print(f"BROKEN {name}: {why}")
print(f"{bad} of {len(cases)} cases break the contract")
shutil.rmtree(tmp)
