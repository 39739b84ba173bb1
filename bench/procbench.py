#!/usr/bin/env python3
"""Whole-process benchmark: runs several commands interleaved (one of each per round, in rotating order),
so that drift in the machine's speed hits every command alike. Reports the median, p10 and p90 wall time,
the median peak RSS (ru_maxrss of the process itself, from wait4) and the ratio of each median to a baseline.

Usage: procbench.py --rounds N --baseline NAME [--before CMD] [--cold] [--json OUT] [--markdown OUT] \
           NAME=COMMAND [NAME=COMMAND ...]
A COMMAND is split with shlex; it runs with stdout and stderr sent to /dev/null. --cold drops the page cache
before every run (sync; echo 3 > /proc/sys/vm/drop_caches), for disk-heavy commands. --before runs a shell
command (untimed, "{name}" replaced by the command's NAME) before every run, e.g. to empty its destination.
"""
import argparse, json, os, shlex, statistics, subprocess, sys, time


MEASURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "bench", "measure")


def build_measure():
    """Compiles tools/measure.c (static) once; see the comment there for why it exists."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools", "measure.c")
    if not os.path.exists(MEASURE) or os.path.getmtime(MEASURE) < os.path.getmtime(source):
        os.makedirs(os.path.dirname(MEASURE), exist_ok=True)
        subprocess.run(["gcc", "-O2", "-static", "-o", MEASURE, source], check=True)


def run_once(argv, cold, before=None, name=""):
    if before:
        subprocess.run(["sh", "-c", before.replace("{name}", name)], check=True)
    if cold:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    out = subprocess.run([MEASURE] + argv, stdout=subprocess.PIPE, check=True, text=True).stdout.split()
    return int(out[0]) / 1e6, int(out[1]), int(out[2])


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--baseline")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--before", help="shell command run untimed before every run; {name} is the command's name")
    parser.add_argument("--title", default="benchmark")
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    parser.add_argument("--allow-failure", action="append", default=[], help="NAME whose non-zero exit is expected")
    parser.add_argument("commands", nargs="+")
    args = parser.parse_args()

    commands = []
    for item in args.commands:
        name, _, command = item.partition("=")
        commands.append((name, shlex.split(command)))
    names = [n for n, _ in commands]
    baseline = args.baseline or names[0]

    build_measure()
    for _ in range(args.warmup):
        for name, argv in commands:
            run_once(argv, False, args.before, name)

    samples = {n: [] for n in names}
    rss = {n: [] for n in names}
    for r in range(args.rounds):
        order = commands[r % len(commands):] + commands[:r % len(commands)]
        for name, argv in order:
            ms, maxrss, code = run_once(argv, args.cold, args.before, name)
            if code != 0 and name not in args.allow_failure:
                sys.exit(f"procbench: {name} exited {code}: {' '.join(argv)}")
            samples[name].append(ms)
            rss[name].append(maxrss)

    base = statistics.median(samples[baseline])
    results = []
    for name, argv in commands:
        med = statistics.median(samples[name])
        results.append({
            "name": name, "command": " ".join(argv), "runs": len(samples[name]),
            "median_ms": round(med, 3), "p10_ms": round(percentile(samples[name], 0.1), 3),
            "p90_ms": round(percentile(samples[name], 0.9), 3),
            "peak_rss_kib": int(statistics.median(rss[name])), "ratio_to_baseline": round(med / base, 3),
        })

    lines = [f"## {args.title}", "",
             f"{args.rounds} interleaved rounds{' (cold page cache before each run)' if args.cold else ''}; "
             f"baseline `{baseline}`; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores.", "",
             "| name | median ms | p10 ms | p90 ms | peak RSS KiB | ratio | command |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for x in results:
        lines.append(f"| {x['name']} | {x['median_ms']:.2f} | {x['p10_ms']:.2f} | {x['p90_ms']:.2f} | "
                     f"{x['peak_rss_kib']} | {x['ratio_to_baseline']:.2f} | `{x['command']}` |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"title": args.title, "rounds": args.rounds, "cold": args.cold, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
