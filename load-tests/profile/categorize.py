#!/usr/bin/env python3
"""Where a CheckBatch's cycles go: reads `perf script -F pid,tid,ip,sym,dso` of the gate and the load generator
(both started with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0, so that perf resolves JIT-compiled
frames through /tmp/perf-<pid>.map) and prints, per process, the share of samples in each part of the call.

Each sample goes to the first frame, walking from the leaf towards the root, that names a part below (so a memcpy
or an allocation helper counts for the code that called it); a sample whose leaf is in the kernel goes to the kind
of kernel work its frames show (TCP and epoll, scheduling, memory). Used by profile-check.sh."""
import collections
import re
import sys

PARTS = [
    ("request parse: recipients' digits, numbering plan",
     r"CheckBatchCodec::(TryRead|Read)|CheckBatchInput|OptOutGate\.Engine\.Recipients|E164|NumberingPlan"),
    ("lookup: filter, FASTER reads, decision",
     r"FASTER\.core|OptOutGate\.Engine\.Storage|OptOutGate\.Engine\.Decisions|RecipientFilter"),
    ("response encode", r"CheckBatchCodec::Write|CheckBatchOutput"),
    ("gate handler, other (service, tenancy, metrics)", r"\[OptOutGate\.Server\]|\[OptOutGate\.Engine\]"),
    ("gRPC framing (gate: Grpc.AspNetCore; client: Grpc.Net.Client)", r"Grpc\."),
    ("load generator (tally, loop, latency recording)", r"OptOutGate\.LoadTests"),
    ("HTTP/2 (gate: Kestrel; client: SocketsHttpHandler): frames, HPACK, flow control, pipes",
     r"Kestrel|System\.IO\.Pipelines|\[System\.Net\.Http\]|Http2"),
    ("ASP.NET Core (hosting, routing, middleware)", r"Microsoft\.AspNetCore|Microsoft\.Extensions"),
    ("sockets (managed side, epoll thread)", r"System\.Net\.Sockets|SystemNative_(Send|Recv|Read|Write|Wait|TryGet)"),
    ("thread pool, async state machines, locks", r"System\.Threading|CompilerServices|LowLevelLifoSemaphore|SystemNative_LowLevelMonitor"),
]
KERNEL = [
    ("kernel: TCP loopback, epoll", r"tcp|inet|sock|skb|net_|ip_|__sys_send|__sys_recv|sendmsg|recvmsg|loopback|napi|softirq|ep_poll|epoll"),
    ("kernel: thread sleep and wake-up, scheduling", r"futex|schedule|sched|wake|switch|finish_task"),
    ("kernel: memory (page faults, mmap)", r"page_fault|do_anonymous|handle_mm|clear_page|mmap|madvise|munmap|tlb"),
]
FRAME = re.compile(r"\s*([0-9a-f]+)\s+(.*)\s+\((.*)\)\s*$")


def part_of(frames):
    if "kallsyms" in frames[0][1]:
        for sym, dso in frames:
            if "kallsyms" not in dso:
                break
            for name, pattern in KERNEL:
                if re.search(pattern, sym):
                    return name
        return "kernel: other"
    for sym, dso in frames:
        for name, pattern in PARTS:
            if re.search(pattern, sym):
                return name
    leaf_dso = frames[0][1]
    if "libclrjit" in leaf_dso:
        return "JIT (tiered compilation)"
    if "libc.so" in leaf_dso:
        return "libc, unattributed"
    return "runtime (libcoreclr: GC, stubs), unattributed"


def main():
    script, names = sys.argv[1], dict(arg.split("=", 1) for arg in sys.argv[2:])  # pid=name
    counts = {pid: collections.Counter() for pid in names}
    pid, frames = None, []

    def flush():
        if pid in counts and frames:
            counts[pid][part_of(frames)] += 1

    with open(script, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                continue
            if not line.startswith("\t"):
                flush()
                pid, frames = line.split("/")[0].strip(), []
                continue
            match = FRAME.match(line)
            if match:
                frames.append((match.group(2), match.group(3)))
    flush()

    micros = {pid: float(names[pid].split(":")[1]) if ":" in names[pid] else 0.0 for pid in names}
    for pid, counter in counts.items():
        total = sum(counter.values()) or 1
        label = names[pid].split(":")[0]
        per_call = micros[pid]
        print(f"{label} (pid {pid}): {total} samples" + (f", {per_call:.1f} µs of CPU per call" if per_call else ""))
        for name, n in counter.most_common():
            share = n / total
            extra = f"  {share * per_call:6.1f} µs" if per_call else ""
            print(f"  {100 * share:5.1f} %{extra}  {name}")


if __name__ == "__main__":
    main()
